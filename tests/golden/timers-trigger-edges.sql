-- trace: samples/timers/trace
-- The trigger graph of the timers sample, by type and async id.
SELECT p.type || ' ' || p.async_id AS parent, c.type || ' ' || c.async_id AS child
FROM trigger_edge t
JOIN resource p ON p.resource_id = t.parent_resource_id
JOIN resource c ON c.resource_id = t.child_resource_id
ORDER BY c.resource_id;
