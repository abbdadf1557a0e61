package dev.recur.common.json;

import dev.recur.common.event.SigningSecret;

/** Reads {@link SigningSecret} values. */
public final class SigningSecretDeserializer extends EventDeserializer<SigningSecret> {

    public SigningSecretDeserializer() {
        super(SigningSecret.class);
    }
}
