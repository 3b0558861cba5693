package io.watchtower.client;

import static io.watchtower.client.Assert.assertContains;
import static io.watchtower.client.Assert.assertEquals;
import static io.watchtower.client.Assert.assertThrows;
import static io.watchtower.client.Assert.assertTrue;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code GET /schedule} against the real server: every next time it answers is checked against
 * the calendar computed here with {@code java.time}, and every rejected parameter is named.
 */
public final class ExplainScheduleTest {
    private static final ZoneId BERLIN = ZoneId.of("Europe/Berlin");

    private static WatchtowerClient client() throws Exception {
        return Fixtures.http().client();
    }

    /** The first weekday 02:30 in Berlin strictly after {@code after}. */
    private static Instant nextWeekday0230Berlin(Instant after) {
        ZonedDateTime candidate = after.atZone(BERLIN).toLocalDate().atTime(LocalTime.of(2, 30)).atZone(BERLIN);
        while (!candidate.toInstant().isAfter(after) || isWeekend(candidate.getDayOfWeek())) {
            candidate = candidate.toLocalDate().plusDays(1).atTime(LocalTime.of(2, 30)).atZone(BERLIN);
        }
        return candidate.toInstant();
    }

    private static boolean isWeekend(DayOfWeek day) {
        return day == DayOfWeek.SATURDAY || day == DayOfWeek.SUNDAY;
    }

    @Test
    public void weekdaysAt0230InBerlinFallOnWeekdaysAt0230InBerlin() throws Exception {
        Instant before = Instant.now();
        ScheduleExplanation explained = client().explainSchedule("30 2 * * 1-5", "Europe/Berlin", 20);
        Instant after = Instant.now();
        assertEquals("30 2 * * 1-5", explained.getSchedule());
        assertEquals("Europe/Berlin", explained.getTz());
        assertContains(explained.getDescription(), "02:30");
        assertContains(explained.getDescription(), "Monday");
        assertContains(explained.getDescription(), "Friday");

        List<Instant> next = explained.getNext();
        assertEquals(20, next.size(), "count=20: " + next);
        for (Instant time : next) {
            ZonedDateTime berlin = time.atZone(BERLIN);
            assertEquals(LocalTime.of(2, 30), berlin.toLocalTime(), "02:30:00.000 in Berlin: " + berlin);
            assertTrue(!isWeekend(berlin.getDayOfWeek()), "on a weekday: " + berlin);
        }
        // The first is the first such time after the server's now (between before and after),
        // and each next one the first after the one before it: no weekday is skipped.
        assertTrue(next.get(0).equals(nextWeekday0230Berlin(before)) || next.get(0).equals(nextWeekday0230Berlin(after)),
                "the first weekday 02:30 in Berlin after now: " + next.get(0));
        List<Instant> expected = new ArrayList<>();
        expected.add(next.get(0));
        while (expected.size() < 20) {
            expected.add(nextWeekday0230Berlin(expected.get(expected.size() - 1)));
        }
        assertEquals(expected, next);
        assertThrows(UnsupportedOperationException.class, () -> next.clear());
    }

    @Test
    public void withoutOptionsItIsReadInUtcWithFiveTimes() throws Exception {
        Instant before = Instant.now();
        ScheduleExplanation explained = client().explainSchedule("@hourly");
        assertEquals("@hourly", explained.getSchedule());
        assertEquals("UTC", explained.getTz(), "the default zone");
        List<Instant> next = explained.getNext();
        assertEquals(5, next.size(), "the default count: " + next);
        Instant firstHour = before.truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1));
        assertTrue(next.get(0).equals(firstHour) || next.get(0).equals(firstHour.plus(Duration.ofHours(1))),
                "the next whole hour: " + next.get(0));
        for (int i = 1; i < next.size(); i++) {
            assertEquals(next.get(i - 1).plus(Duration.ofHours(1)), next.get(i), "hour after hour");
        }
    }

    @Test
    public void everyCharacterOfTheExpressionAndZoneArrives() throws Exception {
        ScheduleExplanation explained = client().explainSchedule("*/15 * * * *", "America/New_York", 8);
        assertEquals("*/15 * * * *", explained.getSchedule(), "spaces, * and / arrive as sent");
        assertEquals("America/New_York", explained.getTz());
        List<Instant> next = explained.getNext();
        assertEquals(8, next.size());
        for (int i = 0; i < next.size(); i++) {
            ZonedDateTime time = next.get(i).atZone(ZoneOffset.UTC);
            assertEquals(0, time.getMinute() % 15, "a quarter hour: " + time);
            assertEquals(0, time.getSecond());
            if (i > 0) {
                assertEquals(next.get(i - 1).plus(Duration.ofMinutes(15)), next.get(i), "quarter after quarter");
            }
        }
        assertEquals(1, client().explainSchedule("0 0 1 JAN,JUL *", null, 1).getNext().size(), "count=1, names");
    }

    @Test
    public void itAgreesWithTheDeadlineOfAPulseWithTheSameSchedule() throws Exception {
        WatchtowerClient client = client();
        Service service = client.pulse(Pulse.builder(Fixtures.uniqueName("explained"))
                .schedule("0 9 * * MON-FRI").tz("Europe/Berlin").alert(AlertType.WEBHOOK, "ops").build());
        ScheduleExplanation explained = client.explainSchedule("0 9 * * MON-FRI", "Europe/Berlin", 3);
        if (Instant.now().isBefore(service.getDeadline())) {   // not straddling a 9:00 in Berlin
            assertEquals(service.getDeadline(), explained.getNext().get(0), "the pulse is due at the first next time");
        }
        assertEquals(9, explained.getNext().get(1).atZone(BERLIN).getHour());
    }

    @Test
    public void badExpressionIs400NamingSchedule() throws Exception {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> client().explainSchedule("every hour"));
        assertEquals(400, e.getStatus());
        assertEquals("schedule", e.getField());
        assertTrue(e.getServerMessage().startsWith("schedule: "), e.getServerMessage());
        assertContains(e.getServerMessage(), "every hour");
        assertContains(e.getProblem(), "not a cron expression");
        assertContains(e.getMessage(), "400");

        InvalidRequestException range = assertThrows(InvalidRequestException.class,
                () -> client().explainSchedule("61 * * * *", "UTC", 5));
        assertEquals("schedule", range.getField());
    }

    @Test
    public void scheduleThatNeverComesIs422NamingSchedule() throws Exception {
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> client().explainSchedule("0 0 30 2 *"));
        assertEquals(422, e.getStatus());
        assertEquals("schedule", e.getField());
    }

    @Test
    public void unknownZoneAndCountOutOfRangeAre400NamingThem() throws Exception {
        InvalidRequestException zone = assertThrows(InvalidRequestException.class,
                () -> client().explainSchedule("@daily", "Mars/Olympus", null));
        assertEquals(400, zone.getStatus());
        assertEquals("tz", zone.getField());
        assertContains(zone.getServerMessage(), "Mars/Olympus");
        for (final int count : new int[] {0, 21, -1}) {
            InvalidRequestException e = assertThrows(InvalidRequestException.class,
                    () -> client().explainSchedule("@daily", null, count));
            assertEquals(400, e.getStatus());
            assertEquals("count", e.getField(), "count=" + count);
        }
        assertEquals(20, client().explainSchedule("@daily", null, 20).getNext().size(), "20 is the most");
        assertThrows(NullPointerException.class, () -> client().explainSchedule(null));
    }

    @Test
    public void aReadKeyMayAskAndAnIngestKeyMayNot() throws Exception {
        WatchtowerClient admin = client();
        CreatedKey reader = admin.createKey(Fixtures.uniqueName("schedule-reader"), "read");
        assertEquals("UTC", Fixtures.http().builder().password(reader.getSecret()).build()
                .explainSchedule("@daily").getTz());
        CreatedKey ingester = admin.createKey(Fixtures.uniqueName("schedule-ingester"), "ingest");
        assertThrows(ForbiddenException.class,
                () -> Fixtures.http().builder().password(ingester.getSecret()).build().explainSchedule("@daily"));
    }
}
