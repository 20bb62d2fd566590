"""A layer's module, mapped in with `localcloud up --layer ARN=DIR`."""

NAME = "company-utils from a local folder"
