"""The exception handlers that give the whole API one error shape (the shape itself: core/api.py).

A service's ValidationError is a 422 located in the body, PermissionDenied a 403, Http404 a 404 that
never echoes what was asked for, a missing or wrong credential a 401.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import Http404
from ninja.errors import AuthenticationError

from jingkai.core.api import located_errors


def install_handlers(api) -> None:
    def django_validation_error(request, exc: ValidationError):
        messages = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
        return api.create_response(request, {"detail": located_errors(messages)}, status=422)

    def permission_denied(request, exc: PermissionDenied):
        return api.create_response(request, {"detail": str(exc) or "Forbidden"}, status=403)

    def not_found(request, exc):
        # Never echo what was asked for: "not yours" and "does not exist" must look the same.
        return api.create_response(request, {"detail": "Not found"}, status=404)

    def unauthorized(request, exc: AuthenticationError):
        response = api.create_response(request, {"detail": "Unauthorized"}, status=401)
        response["WWW-Authenticate"] = 'Bearer realm="jingkai"'
        return response

    api.add_exception_handler(ValidationError, django_validation_error)
    api.add_exception_handler(PermissionDenied, permission_denied)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(AuthenticationError, unauthorized)
