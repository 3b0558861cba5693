package io.watchtower.client;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Who the client's credential is and what it may do: the answer to
 * {@link WatchtowerClient#whoami()}. Immutable.
 */
public final class Identity {
    private final String name;
    private final String kind;
    private final String scope;
    private final String prefix;
    private final List<String> may;

    private Identity(Json.Fields f) {
        this.name = f.string("name");
        this.kind = f.string("kind");
        this.scope = f.string("scope");
        this.prefix = f.optionalString("prefix");
        List<String> actions = new ArrayList<>();
        for (Object action : f.array("may")) {
            if (!(action instanceof String)) {
                throw new IllegalArgumentException("identity.may: expected strings");
            }
            actions.add((String) action);
        }
        this.may = Collections.unmodifiableList(actions);
    }

    static Identity fromJson(Object json) {
        return new Identity(Json.Fields.of(json, "identity"));
    }

    /** The key's name, the user's name, or {@code "password"} for the server's password. */
    public String getName() {
        return name;
    }

    /**
     * What the credential is: {@code "password"} (the server's password), {@code "key"} (an API
     * key) or {@code "user"} (signed in by a trusted proxy).
     */
    public String getKind() {
        return kind;
    }

    /**
     * Its scope: {@code "read"}, {@code "ingest"}, {@code "write"} or {@code "admin"} (the
     * password's).
     */
    public String getScope() {
        return scope;
    }

    /** The prefix the names of the services it may touch must start with, if it has one. */
    public Optional<String> getPrefix() {
        return Optional.ofNullable(prefix);
    }

    /**
     * What its scope allows, of {@code "read"}, {@code "ingest"}, {@code "write"} and
     * {@code "admin"}: e.g. {@code ["ingest"]} for an ingest key, {@code ["read", "ingest",
     * "write"]} for a write key. Unmodifiable.
     */
    public List<String> getMay() {
        return may;
    }

    /** Whether its scope allows {@code action} ({@code "read"}, {@code "ingest"}, …): {@code getMay().contains(action)}. */
    public boolean may(String action) {
        return may.contains(action);
    }

    @Override
    public boolean equals(Object o) {
        if (this == o) {
            return true;
        }
        if (!(o instanceof Identity)) {
            return false;
        }
        Identity that = (Identity) o;
        return name.equals(that.name) && kind.equals(that.kind) && scope.equals(that.scope)
                && Objects.equals(prefix, that.prefix) && may.equals(that.may);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, kind, scope, prefix, may);
    }

    @Override
    public String toString() {
        return "Identity{name=" + name + ", kind=" + kind + ", scope=" + scope
                + (prefix != null ? ", prefix=" + prefix : "") + ", may=" + may + "}";
    }
}
