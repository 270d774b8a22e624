"""Whether two reports describe one happening: pure functions over report cards (no database),
so the rules can be measured on the eval pages and reused by the service that stores links."""
