// Which sweep is current (published last)? Its `pointer_json` names the slot of each period.
MATCH (s:Sweep {current: true})
RETURN properties(s) AS sweep
