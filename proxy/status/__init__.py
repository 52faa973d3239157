"""The status page and its data: rolling time series of /stats and the proxy's metrics."""

from proxy.status.routes import add_status_routes, status_ctx

__all__ = ["add_status_routes", "status_ctx"]
