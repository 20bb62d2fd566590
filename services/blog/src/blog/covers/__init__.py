"""attach-cover: media's `MediaProcessed` events (SNS MediaEvents → the blog's covers queue) → the
renditions on the `cover` of every post whose cover is that upload. handler → logic → dal."""
