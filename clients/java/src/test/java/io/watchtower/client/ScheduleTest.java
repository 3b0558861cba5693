package io.watchtower.client;

import static io.watchtower.client.Assert.assertContains;
import static io.watchtower.client.Assert.assertEquals;
import static io.watchtower.client.Assert.assertFalse;
import static io.watchtower.client.Assert.assertThrows;
import static io.watchtower.client.Assert.assertTrue;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.Optional;

/**
 * Scheduled pulses (a cron {@code schedule} and its {@code tz} instead of {@code nextIn}) and
 * {@code grace} against the real server. Every expected deadline is computed from the
 * {@code lastPulse} the server answered, never from the local clock.
 */
public final class ScheduleTest {
    private static final ZoneId UTC = ZoneOffset.UTC;

    private static Optional<Service> find(WatchtowerClient client, String name) {
        for (Service service : client.listServices()) {
            if (service.getName().equals(name)) {
                return Optional.of(service);
            }
        }
        return Optional.empty();
    }

    /** Checks what holds for every scheduled answer: due at {@code next}, after the pulse, plus grace. */
    private static void assertDue(Service service, Instant next, Duration grace) {
        assertTrue(next.isAfter(service.getLastPulse()), "the schedule's next time is after the pulse: " + next);
        assertEquals(next.plus(grace), service.getDeadline(), "deadline of " + service);
        assertEquals(Duration.between(service.getLastPulse(), next), service.getNextIn(), "nextIn of " + service);
    }

    private static Pulse.Builder pulse(String name) {
        return Pulse.builder(name).alert(AlertType.WEBHOOK, "ops");
    }

    @Test
    public void hourlyWithGraceIsDueAtTheNextWholeHourPlusGrace() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String name = Fixtures.uniqueName("hourly");
        Service service = client.pulse(pulse(name).schedule("@hourly").grace(Duration.ofMinutes(15)).build());
        Instant nextHour = service.getLastPulse().truncatedTo(ChronoUnit.HOURS).plus(Duration.ofHours(1));
        assertEquals(nextHour.plusSeconds(900), service.getDeadline(), "next whole UTC hour + 900 s");
        assertDue(service, nextHour, Duration.ofMinutes(15));
        assertEquals(Optional.of("@hourly"), service.getSchedule());
        assertEquals(Optional.of("UTC"), service.getTz(), "the server's default zone");
        assertEquals(Optional.of(Duration.ofSeconds(900)), service.getGrace());
        assertEquals(ServiceStatus.UP, service.getStatus());
        assertEquals(Optional.of(service), find(client, name), "listed as answered");

        Service plain = client.pulse(name, Duration.ofMinutes(5), AlertType.WEBHOOK, "ops");
        assertFalse(plain.getSchedule().isPresent(), "a pulse with nextIn clears the schedule");
        assertFalse(plain.getTz().isPresent(), "and its zone");
        assertFalse(plain.getGrace().isPresent(), "and a pulse without grace clears it");
        assertEquals(plain.getLastPulse().plus(Duration.ofMinutes(5)), plain.getDeadline());
    }

    @Test
    public void scheduleIsReadInItsTimeZone() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String name = Fixtures.uniqueName("kolkata");
        Service service = client.pulse(pulse(name).schedule("0 * * * *").tz("Asia/Kolkata").build());
        // UTC+05:30: minute 0 in Kolkata is minute 30 in UTC.
        Instant next = service.getLastPulse().atZone(ZoneId.of("Asia/Kolkata")).truncatedTo(ChronoUnit.HOURS).plusHours(1).toInstant();
        assertDue(service, next, Duration.ZERO);
        ZonedDateTime deadline = service.getDeadline().atZone(UTC);
        assertEquals(30, deadline.getMinute(), "minute in UTC of " + deadline);
        assertEquals(0, deadline.getSecond(), "second of " + deadline);
        assertEquals(0, deadline.getNano(), "fraction of " + deadline);
        assertEquals(Optional.of("0 * * * *"), service.getSchedule());
        assertEquals(Optional.of("Asia/Kolkata"), service.getTz());
        assertFalse(service.getGrace().isPresent(), "no grace");
        assertEquals(Optional.of(service), find(client, name), "listed as answered");
    }

    @Test
    public void weekdayNamesAndTheZonesLocalTime() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        ZoneId berlin = ZoneId.of("Europe/Berlin");
        Service service = client.pulse(pulse(Fixtures.uniqueName("berlin")).schedule("0 9 * * MON-FRI").tz("Europe/Berlin")
                .grace(Duration.ofMillis(1500)).build());
        LocalDate day = service.getLastPulse().atZone(berlin).toLocalDate();
        ZonedDateTime next = day.atTime(LocalTime.of(9, 0)).atZone(berlin);
        while (!next.toInstant().isAfter(service.getLastPulse())
                || next.getDayOfWeek() == DayOfWeek.SATURDAY || next.getDayOfWeek() == DayOfWeek.SUNDAY) {
            day = day.plusDays(1);
            next = day.atTime(LocalTime.of(9, 0)).atZone(berlin);
        }
        assertDue(service, next.toInstant(), Duration.ofMillis(1500));
        assertEquals(Optional.of(Duration.ofMillis(1500)), service.getGrace(), "fractional grace");
    }

    @Test
    public void cronSyntaxFormsAreAccepted() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String name = Fixtures.uniqueName("forms");

        Service quarter = client.pulse(Pulse.scheduled(name, "0-59/15 * * * *", AlertType.WEBHOOK, "ops"));
        Instant lastPulse = quarter.getLastPulse();
        long quarters = lastPulse.getEpochSecond() / 900 + 1;
        assertDue(quarter, Instant.ofEpochSecond(quarters * 900), Duration.ZERO);

        Service daily = client.pulse(Pulse.scheduled(name, "@daily", AlertType.WEBHOOK, "ops"));
        assertDue(daily, daily.getLastPulse().truncatedTo(ChronoUnit.DAYS).plus(Duration.ofDays(1)), Duration.ZERO);

        Service weekly = client.pulse(Pulse.scheduled(name, "@weekly", AlertType.WEBHOOK, "ops"));
        ZonedDateTime sunday = weekly.getLastPulse().atZone(UTC).truncatedTo(ChronoUnit.DAYS)
                .with(TemporalAdjusters.next(DayOfWeek.SUNDAY));
        assertDue(weekly, sunday.toInstant(), Duration.ZERO);

        Service monthly = client.pulse(Pulse.scheduled(name, "@monthly", AlertType.WEBHOOK, "ops"));
        ZonedDateTime firstOfNextMonth = monthly.getLastPulse().atZone(UTC).truncatedTo(ChronoUnit.DAYS)
                .with(TemporalAdjusters.firstDayOfNextMonth());
        assertDue(monthly, firstOfNextMonth.toInstant(), Duration.ZERO);

        for (String yearly : new String[] {"@yearly", "@annually"}) {
            Service service = client.pulse(Pulse.scheduled(name, yearly, AlertType.WEBHOOK, "ops"));
            ZonedDateTime newYear = service.getLastPulse().atZone(UTC).truncatedTo(ChronoUnit.DAYS)
                    .with(TemporalAdjusters.firstDayOfNextYear());
            assertDue(service, newYear.toInstant(), Duration.ZERO);
            assertEquals(Optional.of(yearly), service.getSchedule());
        }

        Service halfYears = client.pulse(Pulse.scheduled(name, "0 0 1 JAN,JUL *", AlertType.WEBHOOK, "ops"));
        ZonedDateTime next = halfYears.getLastPulse().atZone(UTC).truncatedTo(ChronoUnit.DAYS).withDayOfMonth(1);
        while (!next.toInstant().isAfter(halfYears.getLastPulse()) || (next.getMonthValue() != 1 && next.getMonthValue() != 7)) {
            next = next.plusMonths(1);
        }
        assertDue(halfYears, next.toInstant(), Duration.ZERO);
        assertEquals(Optional.of("0 0 1 JAN,JUL *"), halfYears.getSchedule());
    }

    @Test
    public void graceExtendsNextIn() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String name = Fixtures.uniqueName("grace");
        Service service = client.pulse(pulse(name).nextIn(Duration.ofSeconds(60)).grace(Duration.ofSeconds(30)).build());
        assertEquals(Duration.ofSeconds(90), Duration.between(service.getLastPulse(), service.getDeadline()));
        assertEquals(Duration.ofSeconds(60), service.getNextIn());
        assertEquals(Optional.of(Duration.ofSeconds(30)), service.getGrace());
        assertFalse(service.getSchedule().isPresent(), "no schedule");
        assertFalse(service.getTz().isPresent(), "no tz without a schedule");
        assertEquals(Optional.of(service), find(client, name), "listed as answered");
    }

    @Test
    public void invalidScheduleNamesTheField() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        InvalidRequestException notCron = assertThrows(InvalidRequestException.class,
                () -> client.pulse(Pulse.scheduled(Fixtures.uniqueName("bad"), "every hour", AlertType.WEBHOOK, "ops")));
        assertEquals(400, notCron.getStatus());
        assertEquals("schedule", notCron.getField());
        assertContains(notCron.getProblem(), "not a cron expression");

        InvalidRequestException never = assertThrows(InvalidRequestException.class,
                () -> client.pulse(Pulse.scheduled(Fixtures.uniqueName("bad"), "0 0 30 2 *", AlertType.WEBHOOK, "ops")));
        assertEquals(422, never.getStatus());
        assertEquals("schedule", never.getField());
        assertContains(never.getProblem(), "never comes");

        InvalidRequestException backwards = assertThrows(InvalidRequestException.class,
                () -> client.pulse(Pulse.scheduled(Fixtures.uniqueName("bad"), "5-1 * * * *", AlertType.WEBHOOK, "ops")));
        assertEquals(422, backwards.getStatus());
        assertEquals("schedule", backwards.getField());
    }

    @Test
    public void unknownTimeZoneNamesTheField() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        InvalidRequestException e = assertThrows(InvalidRequestException.class,
                () -> client.pulse(pulse(Fixtures.uniqueName("bad")).schedule("@hourly").tz("Mars/Olympus").build()));
        assertEquals(400, e.getStatus());
        assertEquals("tz", e.getField());
        assertContains(e.getProblem(), "Mars/Olympus");
    }

    @Test
    public void graceOutOfRangeNamesTheField() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        assertEquals("grace", assertThrows(InvalidRequestException.class, () -> client.pulse(pulse(Fixtures.uniqueName("bad"))
                .nextIn(Duration.ofSeconds(60)).grace(Duration.ofSeconds(-1)).build())).getField());
        assertEquals("grace", assertThrows(InvalidRequestException.class, () -> client.pulse(pulse(Fixtures.uniqueName("bad"))
                .schedule("@daily").grace(Duration.ofDays(366)).build())).getField());
    }

    @Test
    public void localArgumentErrorsSendNothing() throws Exception {
        WatchtowerClient client = Fixtures.http().client();
        String name = Fixtures.uniqueName("local");
        assertThrows(IllegalStateException.class, () -> client.pulse(pulse(name).build()));
        assertThrows(IllegalStateException.class,
                () -> client.pulse(pulse(name).nextIn(Duration.ofSeconds(60)).schedule("@hourly").build()));
        assertThrows(IllegalStateException.class,
                () -> client.pulse(pulse(name).nextIn(Duration.ofSeconds(60)).tz("UTC").build()));
        assertThrows(NullPointerException.class, () -> Pulse.scheduled(name, null, AlertType.WEBHOOK, "ops"));
        assertFalse(find(client, name).isPresent(), "nothing reached the server");
    }
}
