-- The W3C trace context (traceparent) of the request that wrote an outbox row, null when tracing is off: the relay
-- sends it as the record's traceparent header (common's OutboxPublisher).
ALTER TABLE outbox ADD COLUMN trace_parent text;
