// The server's transaction memory limits (sizes such as '716.80MiB'; '0B' means unlimited),
// read once per store to size write batches. Params: $names [setting name].
SHOW SETTINGS YIELD name, value
WHERE name IN $names
RETURN name, value
