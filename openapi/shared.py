"""Building blocks that the parts of Kring's OpenAPI document (spaces.py, participation.py) share."""
from types import SimpleNamespace

string = {"type": "string"}
uuid = {"type": "string", "format": "uuid"}
date = {"type": "string", "format": "date-time"}
bearer = [{"bearerAuth": []}]
optional_bearer = [{"bearerAuth": []}, {}]


def path_param(name, schema=string): return {"name": name, "in": "path", "required": True, "schema": schema}


def query_param(name, schema, description): return {"name": name, "in": "query", "required": False, "schema": schema, "description": description}


def problems(problem):
    """The problem responses that most operations share; `reads` and `writes` bundle the usual ones."""
    p = SimpleNamespace(
        P400=problem("A query parameter is malformed."),
        P401=problem("Not authenticated (or, in a members-only community, not signed in), or the token is unknown or revoked."),
        P404=problem("Not found, or not visible to the caller."),
        P415=problem("The body is not JSON."),
        P422=problem("Invalid input; `errors` names each field."),
        P503=problem("The community has not been set up yet."))
    p.reads = {"401": p.P401, "503": p.P503}
    p.writes = {"401": p.P401, "415": p.P415, "422": p.P422, "503": p.P503}
    return p
