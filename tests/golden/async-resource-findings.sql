-- trace: samples/async-resource/trace
-- Double emitDestroy() and a run after destroy are findings, not errors.
SELECT kind, severity, async_id, message FROM finding ORDER BY finding_id;
