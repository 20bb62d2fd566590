"""The Lambda API for the app's own functions: on the AWS endpoint (`api`: Invoke, list and get calls,
answered before moto), the resolution of names, ARNs, versions and aliases (`catalog`), Invoke's
answers (`invoking`), and Function URLs (`url_config`, served on the local HTTP server by `urls`).
The front imports `api` alone; `urls` needs the gateway and is imported by the runtime."""
