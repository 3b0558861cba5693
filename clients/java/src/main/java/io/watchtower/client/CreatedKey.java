package io.watchtower.client;

import java.util.Objects;

/**
 * A key just created by {@link WatchtowerClient#createKey(String, String, String, String)
 * createKey}: the {@link ApiKey} and its secret. The server stores only a hash of the secret and
 * never shows it again, so keep it now. Immutable.
 *
 * <pre>{@code
 * CreatedKey created = admin.createKey("ci", "ingest", "ci-", "90d");
 * WatchtowerClient ci = WatchtowerClient.builder()
 *         .url(url)
 *         .password(created.getSecret())   // a key's secret goes where the password goes
 *         .build();
 * }</pre>
 */
public final class CreatedKey {
    private final ApiKey key;
    private final String secret;

    private CreatedKey(ApiKey key, String secret) {
        this.key = key;
        this.secret = secret;
    }

    static CreatedKey fromJson(Object json) {
        return new CreatedKey(ApiKey.fromJson(json), Json.Fields.of(json, "key").string("secret"));
    }

    /** The key, as {@link WatchtowerClient#listKeys()} will list it. */
    public ApiKey getKey() {
        return key;
    }

    /** The key's name; short for {@code getKey().getName()}. */
    public String getName() {
        return key.getName();
    }

    /**
     * The key's secret, starting with {@code wtk_}: give it to
     * {@link WatchtowerClient.Builder#password(String)} in place of the password. Shown this once.
     */
    public String getSecret() {
        return secret;
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof CreatedKey)) {
            return false;
        }
        CreatedKey that = (CreatedKey) o;
        return key.equals(that.key) && secret.equals(that.secret);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, secret);
    }

    /** The key, without its secret (so that logging it leaks nothing). */
    @Override
    public String toString() {
        return "CreatedKey{" + key + ", secret=(hidden)}";
    }
}
