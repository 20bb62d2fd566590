"""Firehose delivery to S3, which moto does not do: moto creates a delivery stream, never reads its
Kinesis source, and writes each DirectPut call to S3 at once as one object under a fixed prefix.

`config` reads a delivery stream's template properties, `names` evaluates its prefixes and object
names, `buffer` holds records until the buffering hints say deliver, `delivery` writes one object (after
the Lambda processor, with the error output). `localcloud.sources.firehose` runs it as a poller.
"""
