"""Storage and messaging behind small interfaces: the only code that talks to S3 and SNS."""
