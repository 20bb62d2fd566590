"""aggregate-views: the view stream (Kinesis, fed straight by API Gateway) → one atomic counter update per
post per batch. handler (batch parsing, partial responses) → logic (the tally, the poison rule) → dal."""
