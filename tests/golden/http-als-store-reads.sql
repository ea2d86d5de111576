-- trace: samples/http-als/trace
-- Every getStore(): the resource it ran in, what node returned, what the model expected.
SELECT sr.seq, r.type, s.label AS returned, e.label AS expected
FROM store_read sr
JOIN resource r USING (resource_id)
JOIN store s ON s.stream_id = sr.stream_id AND s.store_id = sr.store_id
JOIN store e ON e.stream_id = sr.stream_id AND e.store_id = sr.expected_store_id
ORDER BY sr.stream_id, sr.seq;
