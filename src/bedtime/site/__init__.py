"""The reading site behind the function URL: routes, pages, who may read, and the web
function's own light AWS clients (no botocore). Imports every step below it."""
