"""The only code that talks to DynamoDB (or DAX in front of it)."""
