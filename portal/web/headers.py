"""Security headers on every response (pages, fragments, errors, files), via `secure`."""
from __future__ import annotations

from flask import Flask
from secure import (
    ContentSecurityPolicy,
    PermissionsPolicy,
    ReferrerPolicy,
    Secure,
    StrictTransportSecurity,
    XContentTypeOptions,
    XFrameOptions,
)


def _policy(production: bool) -> Secure:
    csp = (
        ContentSecurityPolicy()
        .default_src("'self'")
        .script_src("'self'")
        .style_src("'self'")
        .img_src("'self'", "data:")
        .font_src("'self'")
        .connect_src("'self'")
        .frame_src("'self'")
        .object_src("'none'")
        .base_uri("'self'")
        .form_action("'self'")
        .frame_ancestors("'self'")
    )
    return Secure(
        csp=csp,
        hsts=StrictTransportSecurity().max_age(63072000).include_subdomains() if production else None,
        referrer=ReferrerPolicy().set("strict-origin-when-cross-origin"),
        xcto=XContentTypeOptions(),
        xfo=XFrameOptions().set("SAMEORIGIN"),
        permissions=PermissionsPolicy().set("camera=(), microphone=(), geolocation=(), payment=()"),
    )


def init_headers(app: Flask) -> None:
    policy = _policy(app.config["PORTAL_ENV"] == "production")

    @app.after_request
    def _security_headers(response):
        for name, value in policy.headers.items():
            response.headers.setdefault(name, value)
        return response
