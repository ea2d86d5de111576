-- trace: samples/uncaught/trace
-- An uncaughtException handler: node unwinds the stack; no disagreement, no broken rule.
SELECT count(*) AS mismatches FROM finding WHERE kind LIKE '%mismatch%' OR severity = 'error';
