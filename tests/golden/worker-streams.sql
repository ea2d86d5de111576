-- trace: samples/worker/trace
-- A worker thread is a stream of its own, with its own id space.
SELECT stream_id, thread_id, is_main_thread, ended_cleanly, exit_code,
       (SELECT count(*) FROM resource r WHERE r.stream_id = s.stream_id) AS resources
FROM stream s ORDER BY stream_id;
