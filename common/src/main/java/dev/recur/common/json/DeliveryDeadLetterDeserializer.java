package dev.recur.common.json;

import dev.recur.common.event.DeliveryDeadLetter;

/** Reads {@link DeliveryDeadLetter} values. */
public final class DeliveryDeadLetterDeserializer extends EventDeserializer<DeliveryDeadLetter> {

    public DeliveryDeadLetterDeserializer() {
        super(DeliveryDeadLetter.class);
    }
}
