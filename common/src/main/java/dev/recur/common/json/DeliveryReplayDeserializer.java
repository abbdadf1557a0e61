package dev.recur.common.json;

import dev.recur.common.event.DeliveryReplay;

/** Reads {@link DeliveryReplay} values. */
public final class DeliveryReplayDeserializer extends EventDeserializer<DeliveryReplay> {

    public DeliveryReplayDeserializer() {
        super(DeliveryReplay.class);
    }
}
