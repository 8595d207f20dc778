// Every node of one label with its properties: what two loads of one dataset are compared by
// (tests and bench/load_recovery.py). Params: $label (a graph_schema node label).
MATCH (n:$($label))
RETURN properties(n) AS props
