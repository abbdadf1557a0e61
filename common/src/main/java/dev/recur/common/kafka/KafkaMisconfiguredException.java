package dev.recur.common.kafka;

/** The service's Kafka settings cannot work with the broker: the message names the setting to change. */
public class KafkaMisconfiguredException extends IllegalStateException {

    public KafkaMisconfiguredException(String message) {
        super(message);
    }

    public KafkaMisconfiguredException(String message, Throwable cause) {
        super(message, cause);
    }
}
