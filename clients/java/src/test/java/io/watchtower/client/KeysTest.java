package io.watchtower.client;

import static io.watchtower.client.Assert.assertContains;
import static io.watchtower.client.Assert.assertEquals;
import static io.watchtower.client.Assert.assertFalse;
import static io.watchtower.client.Assert.assertThrows;
import static io.watchtower.client.Assert.assertTrue;
import static io.watchtower.client.Assert.eventually;

import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * API keys against the real server: create, list and revoke them with the password (which has
 * the admin scope), then act as each key with a client built on its secret.
 */
public final class KeysTest {
    private static WatchtowerClient admin() throws Exception {
        return Fixtures.http().client();
    }

    /** A client that sends {@code key}'s secret in the password's place. */
    private static WatchtowerClient as(CreatedKey key) throws Exception {
        return Fixtures.http().builder().password(key.getSecret()).build();
    }

    /** The key named {@code name} as listed (names are unique per test, so there is one). */
    private static Optional<ApiKey> listed(WatchtowerClient admin, String name) {
        for (ApiKey key : admin.listKeys()) {
            if (key.getName().equals(name)) {
                return Optional.of(key);
            }
        }
        return Optional.empty();
    }

    private static Service pulse(WatchtowerClient client, String service) {
        return client.pulse(service, Duration.ofMinutes(5), AlertType.WEBHOOK, "ops");
    }

    @Test
    public void createKeyAnswersTheKeyAndItsSecret() throws Exception {
        WatchtowerClient admin = admin();
        String name = Fixtures.uniqueName("key-create");
        CreatedKey created = admin.createKey(name, "write", "team-a-", "90d");
        ApiKey key = created.getKey();
        assertEquals(name, created.getName());
        assertEquals(name, key.getName());
        assertEquals("write", key.getScope());
        assertEquals(Optional.of("team-a-"), key.getPrefix());
        assertEquals(Optional.of(key.getCreated().plus(Duration.ofDays(90))), key.getExpires(), "expires 90 days after creation");
        assertFalse(key.getRevoked().isPresent(), "not revoked");
        assertFalse(key.getLastUsed().isPresent(), "not used yet");
        assertTrue(created.getSecret().startsWith("wtk_"), "a key secret: " + created.getSecret().substring(0, 4));
        assertFalse(created.toString().contains(created.getSecret()), "toString hides the secret: " + created);
        assertEquals(Optional.of(key), listed(admin, name), "listed as created, without the secret");

        String bare = Fixtures.uniqueName("key-bare");
        ApiKey plain = admin.createKey(bare, "read").getKey();
        assertFalse(plain.getPrefix().isPresent(), "no prefix");
        assertFalse(plain.getExpires().isPresent(), "no expiry");
    }

    @Test
    public void whoamiReportsTheCredential() throws Exception {
        WatchtowerClient admin = admin();
        Identity password = admin.whoami();
        assertEquals("password", password.getName());
        assertEquals("password", password.getKind());
        assertEquals("admin", password.getScope());
        assertFalse(password.getPrefix().isPresent(), "no prefix");
        assertEquals(Arrays.asList("read", "ingest", "write", "admin"), password.getMay());

        String[][] expected = {
            {"read", "read"},
            {"ingest", "ingest"},
            {"write", "read", "ingest", "write"},
            {"admin", "read", "ingest", "write", "admin"},
        };
        for (String[] row : expected) {
            String scope = row[0];
            String name = Fixtures.uniqueName("key-who-" + scope);
            Identity identity = as(admin.createKey(name, scope)).whoami();
            assertEquals(name, identity.getName());
            assertEquals("key", identity.getKind());
            assertEquals(scope, identity.getScope());
            assertFalse(identity.getPrefix().isPresent(), "no prefix");
            assertEquals(Arrays.asList(row).subList(1, row.length), identity.getMay(), scope + " may");
            assertTrue(identity.may(scope), scope + " may " + scope);
        }
        Identity prefixed = as(admin.createKey(Fixtures.uniqueName("key-who-prefix"), "write", "team-a-", null)).whoami();
        assertEquals(Optional.of("team-a-"), prefixed.getPrefix());
        assertFalse(prefixed.may("admin"), "a write key may not admin");
        assertThrows(UnsupportedOperationException.class, () -> prefixed.getMay().clear());
    }

    @Test
    public void readKeyListsButCannotPulse() throws Exception {
        WatchtowerClient admin = admin();
        String service = Fixtures.uniqueName("read-key-svc");
        pulse(admin, service);
        String name = Fixtures.uniqueName("key-read");
        WatchtowerClient reader = as(admin.createKey(name, "read"));

        boolean seen = false;
        for (Service s : reader.listServices()) {
            seen |= s.getName().equals(service);
        }
        assertTrue(seen, "a read key lists services");
        reader.listEvents(EventQuery.all());

        ForbiddenException e = assertThrows(ForbiddenException.class, () -> pulse(reader, service));
        assertEquals(403, e.getStatus());
        assertContains(e.getServerMessage(), "scope: key `" + name + "` has scope `read`");
        assertContains(e.getServerMessage(), "POST / needs ingest, write or admin");
        assertContains(e.getMessage(), e.getServerMessage());
        // Requests written in streaming mode keep the server's message too.
        assertContains(assertThrows(ForbiddenException.class,
                () -> reader.addEvent(service, Level.INFO, "m")).getServerMessage(), "has scope `read`");
        assertContains(assertThrows(ForbiddenException.class, () -> reader.cancel(service)).getServerMessage(),
                "has scope `read`");
        assertContains(assertThrows(ForbiddenException.class, reader::listKeys).getServerMessage(), "needs admin");
    }

    @Test
    public void ingestKeyPulsesButCannotList() throws Exception {
        WatchtowerClient admin = admin();
        String name = Fixtures.uniqueName("key-ingest");
        WatchtowerClient ingester = as(admin.createKey(name, "ingest"));
        String service = Fixtures.uniqueName("ingest-key-svc");
        assertEquals(service, pulse(ingester, service).getName());
        assertEquals(service, ingester.addEvent(service, Level.INFO, "from an ingest key").getService());

        ForbiddenException e = assertThrows(ForbiddenException.class, ingester::listServices);
        assertEquals(403, e.getStatus());
        assertContains(e.getServerMessage(), "scope: key `" + name + "` has scope `ingest`");
        assertContains(assertThrows(ForbiddenException.class, () -> ingester.listEvents(EventQuery.all())).getServerMessage(),
                "has scope `ingest`");
        assertContains(assertThrows(ForbiddenException.class, () -> ingester.cancel(service)).getServerMessage(),
                "has scope `ingest`");
        boolean seen = false;
        for (Event event : admin.events(EventQuery.builder().service(service).build())) {
            seen |= event.getMessage().equals("from an ingest key");
        }
        assertTrue(seen, "the admin sees the ingested event");
    }

    @Test
    public void writeKeyIsLimitedToItsPrefix() throws Exception {
        WatchtowerClient admin = admin();
        String name = Fixtures.uniqueName("key-prefix");
        WatchtowerClient teamA = as(admin.createKey(name, "write", "team-a-", null));

        ForbiddenException e = assertThrows(ForbiddenException.class, () -> pulse(teamA, "team-b-x"));
        assertEquals(403, e.getStatus());
        assertContains(e.getServerMessage(), "key `" + name + "` may touch only services starting with `team-a-`");
        assertContains(e.getServerMessage(), "`team-b-x`");

        String mine = Fixtures.uniqueName("team-a");
        pulse(teamA, mine);
        boolean seen = false;
        for (Service s : teamA.listServices()) {
            assertTrue(s.getName().startsWith("team-a-"), "only its prefix's services are listed: " + s.getName());
            seen |= s.getName().equals(mine);
        }
        assertTrue(seen, "its own service is listed");
        assertEquals(mine, teamA.cancel(mine).getName(), "a write key cancels");
        assertContains(assertThrows(ForbiddenException.class, teamA::listKeys).getServerMessage(), "needs admin");
        assertThrows(ForbiddenException.class, () -> teamA.createKey(Fixtures.uniqueName("key-by-write"), "admin"));
        assertThrows(ForbiddenException.class, () -> teamA.revokeKey(name));
    }

    @Test
    public void listKeysShowsWhenAKeyWasLastUsed() throws Exception {
        WatchtowerClient admin = admin();
        String name = Fixtures.uniqueName("key-used");
        CreatedKey created = admin.createKey(name, "read");
        assertFalse(listed(admin, name).get().getLastUsed().isPresent(), "not used yet");
        as(created).whoami();
        // The server records uses in the background, within about a second.
        eventually("lastUsed set after a use", Duration.ofSeconds(5),
                () -> listed(admin, name).get().getLastUsed().isPresent());
        ApiKey key = listed(admin, name).get();
        assertFalse(key.getLastUsed().get().isBefore(key.getCreated()), "used after it was created: " + key);
    }

    @Test
    public void revokedKeyIsRefused() throws Exception {
        WatchtowerClient admin = admin();
        String name = Fixtures.uniqueName("key-revoke");
        CreatedKey created = admin.createKey(name, "write");
        WatchtowerClient client = as(created);
        assertEquals(name, client.whoami().getName());

        ApiKey revoked = admin.revokeKey(name);
        assertEquals(name, revoked.getName());
        assertTrue(revoked.getRevoked().isPresent(), "revoked: " + revoked);
        assertEquals(Optional.of(revoked.getRevoked().get()), listed(admin, name).get().getRevoked(), "listed as revoked");

        // Every node refuses a revoked key within about a second.
        eventually("the revoked key is refused", Duration.ofSeconds(5), () -> {
            try {
                client.whoami();
                return false;
            } catch (AuthenticationException refused) {
                return true;
            }
        });
        AuthenticationException e = assertThrows(AuthenticationException.class, client::listServices);
        assertEquals(401, e.getStatus());
        assertThrows(AuthenticationException.class, () -> pulse(client, Fixtures.uniqueName("revoked-svc")));

        NotFoundException again = assertThrows(NotFoundException.class, () -> admin.revokeKey(name));
        assertEquals(404, again.getStatus());
        assertContains(again.getServerMessage(), "no live key named `" + name + "`");

        CreatedKey reused = admin.createKey(name, "read");
        assertFalse(reused.getSecret().equals(created.getSecret()), "a new secret");
        assertEquals(name, as(reused).whoami().getName(), "a revoked key's name may be reused");
    }

    @Test
    public void revokeUnknownKeyIsNotFound() throws Exception {
        WatchtowerClient admin = admin();
        String name = Fixtures.uniqueName("key-never");
        NotFoundException e = assertThrows(NotFoundException.class, () -> admin.revokeKey(name));
        assertEquals(404, e.getStatus());
        assertContains(e.getServerMessage(), "no live key named `" + name + "`");
        // The name is one path segment, encoded: these reach the server as the names they are.
        for (String odd : Arrays.asList("a b/c?d#e%f", "..", "é ✓")) {
            assertContains(assertThrows(NotFoundException.class, () -> admin.revokeKey(odd)).getServerMessage(),
                    "no live key named `" + odd + "`");
        }
        assertThrows(IllegalArgumentException.class, () -> admin.revokeKey(""));
    }

    @Test
    public void duplicateLiveNameIsAConflict() throws Exception {
        WatchtowerClient admin = admin();
        String name = Fixtures.uniqueName("key-twice");
        admin.createKey(name, "read");
        WatchtowerException e = assertThrows(WatchtowerException.class, () -> admin.createKey(name, "admin"));
        assertEquals(WatchtowerException.class, e.getClass());
        assertEquals(409, e.getStatus());
        assertContains(e.getServerMessage(), "a live key is named `" + name + "`");
        assertContains(e.getMessage(), "409");
        assertEquals("read", listed(admin, name).get().getScope(), "the first key stays as it was");
    }

    @Test
    public void invalidFieldsAreNamed() throws Exception {
        WatchtowerClient admin = admin();
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> admin.createKey(Fixtures.uniqueName("key-bad"), "superuser"));
        assertEquals(400, e.getStatus());
        assertEquals("scope", e.getField());
        assertContains(e.getProblem(), "superuser");
        assertEquals("name", assertThrows(InvalidRequestException.class,
                () -> admin.createKey("not a valid name", "read")).getField());
        assertEquals("expiresIn", assertThrows(InvalidRequestException.class,
                () -> admin.createKey(Fixtures.uniqueName("key-bad"), "read", null, "soon")).getField());
        for (ApiKey key : admin.listKeys()) {
            assertFalse(key.getName().startsWith("key-bad"), "a rejected key is not created: " + key);
        }
        assertThrows(UnsupportedOperationException.class, () -> admin.listKeys().clear());
    }
}
