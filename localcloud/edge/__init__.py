"""The local CloudFront: distributions from any template, served with CloudFront's caching semantics."""
