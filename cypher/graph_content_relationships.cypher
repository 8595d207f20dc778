// Every relationship of one type between two labels, as its ends' keys and its properties:
// what two loads of one dataset are compared by (tests and bench/load_recovery.py).
// Params: $type, $start, $end (graph_schema names), $start_key, $end_key (their key properties).
MATCH (a:$($start))-[r:$($type)]->(b:$($end))
RETURN a[$start_key] AS start_key, b[$end_key] AS end_key, properties(r) AS props
