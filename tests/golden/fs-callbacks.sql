-- trace: samples/fs/trace
-- Callbacks per resource type, with nesting depth, and what is alive at the end.
SELECT r.type, count(*) AS callbacks, max(c.depth) AS max_depth,
       sum(r.destroy_seq IS NULL) AS of_alive_resources
FROM callback c JOIN resource r USING (resource_id)
GROUP BY r.type ORDER BY r.type;
