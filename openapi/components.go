package openapi

import (
	"github.com/aposproxy/aposproxy/config"
)

// errorStatuses are the error answers every operation may give, by
// status, with the name Apostrophe gives each (docs/api-rules.md#241).
var errorStatuses = []struct{ status, component, description string }{
	{"400", "Invalid", "invalid: a parameter or the body is not valid (data.errors names the fields)."},
	{"403", "Forbidden", "forbidden: the caller may not do this."},
	{"404", "NotFound", "notfound: no such document or route, or the caller may not see it."},
	{"409", "Conflict", "conflict: the write would break a uniqueness rule."},
	{"412", "PreconditionFailed", "precondition: If-Match does not match the stored document."},
	{"429", "TooManyRequests", "toomany: the caller sent too many requests (Retry-After says when to try again)."},
	{"503", "Unavailable", "unavailable: a backend is down or the proxy is overloaded (Retry-After)."},
}

// errorResponses are components.responses: one per error status, and
// Error for the others (500, 501, 502, 504...).
func errorResponses() obj {
	out := obj{"Error": errorResponse("Any other error (500 error, 501 unimplemented, 502 badgateway, 504 timeout...).")}
	for _, e := range errorStatuses {
		out[e.component] = errorResponse(e.description)
	}
	return out
}

func errorResponse(description string) obj {
	return obj{"description": description, "content": jsonContent(ref("schemas", "Error"))}
}

// responses is the responses of an operation answering ok with 200.
func responses(ok obj) obj {
	out := obj{"200": ok, "default": ref("responses", "Error")}
	for _, e := range errorStatuses {
		out[e.status] = ref("responses", e.component)
	}
	return out
}

// jsonContent is a content map of one JSON schema.
func jsonContent(schema obj) obj {
	return obj{"application/json": obj{"schema": schema}}
}

// answer is a 200 response with a JSON schema.
func answer(description string, schema obj) obj {
	return obj{"description": description, "content": jsonContent(schema)}
}

// anyJSON is a 200 response of any JSON value.
func anyJSON(description string) obj { return answer(description, obj{}) }

// body is a required JSON request body.
func body(schema obj) obj {
	return obj{"required": true, "content": obj{"application/json": obj{"schema": schema}}}
}

// coreSchemas are the schemas every document shares: the error envelope,
// a batch job's id and a job's progress.
func coreSchemas() obj {
	return obj{
		"Error": obj{
			"type":        "object",
			"description": "Apostrophe's error envelope.",
			"required":    []any{"name", "message"},
			"properties": obj{
				"name":    obj{"type": "string", "description": "The error's name: invalid, forbidden, notfound, conflict, precondition, unavailable, error...", "examples": []any{"notfound"}},
				"message": obj{"type": "string"},
				"data":    obj{"type": "object", "description": "Details; for invalid, errors lists each field's error."},
			},
		},
		"Attachment": attachmentSchema(),
		"JobStarted": obj{"type": "object", "required": []any{"jobId"}, "properties": obj{"jobId": obj{"type": "string"}},
			"description": "A batch operation was started as a job: read its progress at /@apostrophecms/job/{jobId}."},
		"Job": obj{"type": "object", "description": "A batch job's progress.", "properties": obj{
			"_id": str(), "processed": integer(), "total": integer(), "good": integer(), "bad": integer(),
			"status": str(), "ended": obj{"type": "boolean"}, "when": obj{"type": "string", "format": "date-time"},
			"results": obj{"type": "object"}, "errors": obj{"type": "object"},
		}},
		"IDs": obj{"type": "object", "required": []any{"_ids"}, "properties": obj{
			"_ids": obj{"type": "array", "items": str(), "description": "The documents' _ids."}}},
	}
}

func str() obj     { return obj{"type": "string"} }
func integer() obj { return obj{"type": "integer"} }

// parameters are components.parameters: Apostrophe's list and scope
// parameters.
func parameters() obj {
	q := func(name, description string, schema obj) obj {
		return obj{"name": name, "in": "query", "required": false, "description": description, "schema": schema}
	}
	return obj{
		"Page":         q("page", "Page number, from 1.", obj{"type": "integer", "minimum": 1, "default": 1}),
		"PerPage":      q("perPage", "Documents per page (the type's per_page by default, at most its max_per_page).", obj{"type": "integer", "minimum": 1}),
		"Search":       q("search", "Text search in the searchable fields.", str()),
		"Autocomplete": q("autocomplete", "Prefix search in the searchable fields.", str()),
		"Sort":         q("sort", "Sort order as a JSON object or sort[field]=1|-1, such as sort[title]=1.", str()),
		"Project":      q("project", "Fields to return, as project[field]=1.", str()),
		"Count":        q("count", "1: answer only {count}.", obj{"type": "integer", "enum": []any{0, 1}}),
		"Choices":      q("choices", "Comma-separated fields whose distinct values to add as choices.", str()),
		"AposMode":     q("aposMode", "Draft or published copy (draft needs an editing role).", obj{"type": "string", "enum": []any{"draft", "published"}, "default": "published"}),
		"AposLocale":   q("aposLocale", "The locale of the documents (the default locale when absent).", str()),
	}
}

// securitySchemes are the ways a caller authenticates.
func securitySchemes(cfg *config.Config) obj {
	return obj{
		"ApiKeyAuth": obj{"type": "apiKey", "in": "query", "name": "apikey",
			"description": "An API key of [api_keys], as the apikey query parameter."},
		"ApiKeyHeader": obj{"type": "apiKey", "in": "header", "name": "Authorization",
			"description": "An API key of [api_keys], as `Authorization: ApiKey <key>` (write the value as `ApiKey <key>`)."},
		"BearerAuth": obj{"type": "http", "scheme": "bearer",
			"description": "A token from POST /@apostrophecms/login/login, as `Authorization: Bearer <token>`."},
		"SessionAuth": obj{"type": "apiKey", "in": "cookie", "name": cfg.Auth.CookieName + ".sid",
			"description": "The session cookie that POST /@apostrophecms/login/login sets with {\"session\": true}; writes also need the CSRF cookie and header."},
	}
}

// security lists the ways to call an operation; anonymous callers are
// allowed too when optional is true.
func security(optional bool) []any {
	out := []any{obj{"ApiKeyAuth": []any{}}, obj{"ApiKeyHeader": []any{}}, obj{"BearerAuth": []any{}}, obj{"SessionAuth": []any{}}}
	if optional {
		return append([]any{obj{}}, out...)
	}
	return out
}
