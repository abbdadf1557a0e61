package dev.recur.scheduleapi.repository;

import dev.recur.scheduleapi.domain.ScheduleStatsView;
import io.quarkus.hibernate.orm.panache.PanacheRepositoryBase;
import jakarta.enterprise.context.ApplicationScoped;

@ApplicationScoped
public class ScheduleStatsRepository implements PanacheRepositoryBase<ScheduleStatsView, Long> {}
