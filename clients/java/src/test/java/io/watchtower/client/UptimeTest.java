package io.watchtower.client;

import static io.watchtower.client.Assert.assertEquals;
import static io.watchtower.client.Assert.assertFalse;
import static io.watchtower.client.Assert.assertNull;
import static io.watchtower.client.Assert.assertThrows;
import static io.watchtower.client.Assert.assertTrue;
import static io.watchtower.client.Assert.eventually;

import java.time.Duration;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * {@code GET /uptime} against the real server: each service's share of each of the last 30 UTC
 * days it was up, checked for services pulsed (and killed) here.
 */
public final class UptimeTest {
    private static WatchtowerClient client() throws Exception {
        return Fixtures.http().client();
    }

    private static LocalDate todayUtc() {
        return LocalDate.now(ZoneOffset.UTC);
    }

    @Test
    public void aPulsedServiceIsUpAllOfTodaySoFarAndUnseenBefore() throws Exception {
        WatchtowerClient client = client();
        String name = Fixtures.uniqueName("uptime-up");
        Service service = client.pulse(name, Duration.ofHours(1), AlertType.WEBHOOK, "ops");
        LocalDate before = todayUtc();
        DailyUptime uptime = client.dailyUptime();
        LocalDate after = todayUtc();

        List<LocalDate> dates = uptime.getDates();
        assertEquals(30, dates.size(), "30 days: " + dates);
        LocalDate today = dates.get(29);
        assertTrue(today.equals(before) || today.equals(after), "today's UTC date last: " + today);
        for (int i = 1; i < dates.size(); i++) {
            assertEquals(dates.get(i - 1).plusDays(1), dates.get(i), "day after day, oldest first");
        }

        List<Double> shares = uptime.getService(name).orElseThrow(() -> new AssertionError(name + " not in " + uptime));
        assertEquals(30, shares.size());
        assertEquals(1.0, shares.get(29), "up all of today so far");
        assertEquals(Optional.of(1.0), uptime.getUptime(name, today));
        // Days before its first pulse are null: it was not seen yet.
        int firstDay = dates.indexOf(service.getLastPulse().atZone(ZoneOffset.UTC).toLocalDate());
        assertTrue(firstDay >= 28, "first pulsed today (or, at midnight, yesterday): " + firstDay);
        for (int i = 0; i < firstDay; i++) {
            assertNull(shares.get(i), "not seen on " + dates.get(i));
        }
        assertEquals(Optional.empty(), uptime.getUptime(name, dates.get(0)), "null: not seen yet");
        assertEquals(Optional.empty(), uptime.getUptime(name, today.plusDays(1)), "not one of the dates");
        assertEquals(Optional.empty(), uptime.getService(Fixtures.uniqueName("never-pulsed")));
        assertThrows(UnsupportedOperationException.class, () -> uptime.getDates().clear());
        assertThrows(UnsupportedOperationException.class, () -> uptime.getServices().clear());
        assertThrows(UnsupportedOperationException.class, () -> shares.set(0, 1.0));
    }

    @Test
    public void aServiceThatDiedIsDownMostOfItsShortLife() throws Exception {
        final WatchtowerClient client = client();
        final String name = Fixtures.uniqueName("uptime-dead");
        client.pulse(name, Duration.ofMillis(200), AlertType.WEBHOOK, "ops");
        eventually(name + " dies", () -> {
            for (Service service : client.listServices()) {
                if (service.getName().equals(name)) {
                    return service.getStatus() == ServiceStatus.DEAD;
                }
            }
            return false;
        });
        // Up 0.2 s of a life that grows: its share of today falls below a half within a second or so.
        eventually(name + " down more than up today", () -> {
            DailyUptime uptime = client.dailyUptime();
            Double today = uptime.getService(name).get().get(29);
            assertTrue(today != null && today >= 0.0 && today <= 1.0, "a share: " + today);
            return today < 0.5;
        });
    }

    @Test
    public void aKeyWithAPrefixSeesOnlyItsServicesAndAnIngestKeyNone() throws Exception {
        WatchtowerClient admin = client();
        String prefix = Fixtures.uniqueName("uptime-team") + "-";
        String own = prefix + "db";
        String other = Fixtures.uniqueName("uptime-other");
        admin.pulse(own, Duration.ofHours(1), AlertType.WEBHOOK, "ops");
        admin.pulse(other, Duration.ofHours(1), AlertType.WEBHOOK, "ops");
        assertTrue(admin.dailyUptime().getServices().keySet().containsAll(Arrays.asList(own, other)),
                "the password sees both");

        CreatedKey reader = admin.createKey(Fixtures.uniqueName("uptime-reader"), "read", prefix, null);
        DailyUptime seen = Fixtures.http().builder().password(reader.getSecret()).build().dailyUptime();
        assertEquals(Collections.singleton(own), seen.getServices().keySet(), "only the prefix's services");
        assertEquals(30, seen.getDates().size());
        assertFalse(seen.getService(other).isPresent(), "not another's");

        CreatedKey ingester = admin.createKey(Fixtures.uniqueName("uptime-ingester"), "ingest");
        ForbiddenException e = assertThrows(ForbiddenException.class,
                () -> Fixtures.http().builder().password(ingester.getSecret()).build().dailyUptime());
        assertEquals(403, e.getStatus());
    }
}
