"""The error answers every API operation can give, documented in one place (a drf-spectacular hook).

``matrix.api.errors`` maps refusals to HTTP the same way for every endpoint, so the schema says so for
every operation rather than view by view: a client can then rely on the documented codes (and
schemathesis checks that nothing else comes back). A response a view documents itself is kept.
"""

DETAIL = {"$ref": "#/components/schemas/ErrorDetail"}
ERROR_SCHEMAS = {
    "ErrorDetail": {
        "type": "object",
        "properties": {"detail": {"type": "string"}},
        "required": ["detail"],
    },
    "ValidationErrors": {
        "type": "object",
        "description": "A list of messages per field; messages not about one field are under non_field_errors.",
        "additionalProperties": {},
    },
}


def _response(description: str, schema: dict) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


UNAUTHENTICATED = _response("No valid token or session: sign in, or send 'Authorization: Token <key>'.", DETAIL)
REFUSED = _response("Your role may not do this here; the reason is in 'detail'. Nothing was changed.", DETAIL)
THROTTLED = _response("Too many requests from your token or address; wait and retry.", DETAIL)
NOT_FOUND = _response("No such record among those you can access (or an invalid page cursor).", DETAIL)
UNSUPPORTED = _response("The body's Content-Type is missing or not one this operation reads (JSON or a form).", DETAIL)
INVALID = _response(
    "Invalid input or a refusal by the rules: messages per field. Nothing was changed.",
    {"$ref": "#/components/schemas/ValidationErrors"},
)


def add_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {}).update(ERROR_SCHEMAS)
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            parameters = operation.get("parameters", [])
            errors = {"401": UNAUTHENTICATED, "403": REFUSED, "429": THROTTLED}
            if any(p["in"] == "path" for p in parameters) or any(p["name"] == "cursor" for p in parameters):
                errors["404"] = NOT_FOUND
            if "requestBody" in operation or any(p["in"] == "query" and p["name"] != "cursor" for p in parameters):
                errors["400"] = INVALID
            if "requestBody" in operation:
                errors["415"] = UNSUPPORTED
            for code, response in errors.items():
                responses.setdefault(code, response)
    return result
