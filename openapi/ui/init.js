// The API reference page: Swagger UI on this server's OpenAPI document
// (openapi.json beside this page). "Authorize" takes an API key, a bearer
// token or a session cookie; "Try it out" sends requests from the page.
window.ui = SwaggerUIBundle({
  url: "openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  docExpansion: "none",
  defaultModelsExpandDepth: 0,
  displayRequestDuration: true,
  filter: true,
  tryItOutEnabled: false,
  persistAuthorization: false,
});
