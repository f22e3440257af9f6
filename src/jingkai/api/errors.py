"""One error shape for the whole API.

422 always answers `{"detail": [{"loc": [...], "msg": ..., "type": ...}]}`, whether the error comes
from ninja's own pydantic validation or from a service raising Django's ValidationError, so that a
client needs one parser. `loc` starts with where the value was sent ("body", "query", "path") and
then names the field.
"""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from ninja.errors import AuthenticationError
from ninja.errors import ValidationError as NinjaValidationError


def located_errors(messages_by_field: dict, source: str = "body") -> list[dict]:
    detail = []
    for field, messages in messages_by_field.items():
        loc = [source] if field == NON_FIELD_ERRORS else [source, field]
        detail.extend({"loc": loc, "msg": str(message), "type": "value_error"} for message in messages)
    return detail


def query_error(form_errors: dict) -> NinjaValidationError:
    """A FilterSet's form errors as the 422 that names each query parameter."""
    return NinjaValidationError(located_errors({k: list(v) for k, v in form_errors.items()}, source="query"))


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

    from django.http import Http404

    api.add_exception_handler(ValidationError, django_validation_error)
    api.add_exception_handler(PermissionDenied, permission_denied)
    api.add_exception_handler(Http404, not_found)
    api.add_exception_handler(AuthenticationError, unauthorized)
