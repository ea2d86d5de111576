-- trace: samples/job-queue-lost/trace
-- The jobs run in the drain interval created at start-up: their reads are undefined.
SELECT r.type, r.async_id, substr(sr.site, length(rtrim(sr.site, '0123456789:')) - 5) AS site_tail,
       CASE sr.store_id WHEN 0 THEN 'undefined' ELSE 'store ' || sr.store_id END AS returned
FROM store_read sr JOIN resource r USING (resource_id)
ORDER BY sr.seq;
