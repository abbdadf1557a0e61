// Recur Console: the little the pages need beyond htmx - the CSRF header on htmx requests, the cron presets, the
// items editor's buttons and the charts (Chart.js), drawn from the data the page carries.
(function () {
  'use strict';

  function csrfToken() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.getAttribute('content') : null;
  }

  document.addEventListener('htmx:configRequest', function (event) {
    var token = csrfToken();
    if (token) {
      event.detail.headers['X-CSRF-Token'] = token;
    }
  });

  document.addEventListener('click', function (event) {
    var preset = event.target.closest('[data-cron-preset]');
    if (preset) {
      var cron = document.getElementById('cron');
      cron.value = preset.getAttribute('data-cron-preset');
      cron.dispatchEvent(new Event('input', { bubbles: true }));
      cron.focus();
      return;
    }
    var items = document.getElementById('items');
    if (!items) {
      return;
    }
    if (event.target.closest('[data-add-item]')) {
      var list = parseItems(items);
      if (list) {
        list.push({ source: 'universal', url: 'https://example.com' });
        items.value = JSON.stringify(list, null, 2);
      }
    } else if (event.target.closest('[data-format-items]')) {
      var parsed = parseItems(items);
      if (parsed) {
        items.value = JSON.stringify(parsed, null, 2);
      }
    }
  });

  function parseItems(textarea) {
    try {
      var value = textarea.value.trim() === '' ? [] : JSON.parse(textarea.value);
      textarea.removeAttribute('aria-invalid');
      return Array.isArray(value) ? value : [value];
    } catch (e) {
      textarea.setAttribute('aria-invalid', 'true');
      return null;
    }
  }

  function cssVar(name) {
    return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  }

  function drawCharts(root) {
    if (typeof Chart === 'undefined') {
      return;
    }
    var holders = root.querySelectorAll ? root.querySelectorAll('[data-chart]') : [];
    holders.forEach(function (holder) {
      if (holder.dataset.drawn) {
        return;
      }
      holder.dataset.drawn = 'true';
      var data = JSON.parse(holder.getAttribute('data-chart'));
      var fg = cssVar('--fg');
      var grid = cssVar('--line');
      Chart.defaults.color = fg;
      Chart.defaults.borderColor = grid;
      var animation = window.matchMedia('(prefers-reduced-motion: reduce)').matches ? false : undefined;
      var jobs = holder.querySelector('#jobs-chart');
      if (jobs) {
        new Chart(jobs, {
          type: 'bar',
          data: {
            labels: data.labels,
            datasets: [
              { label: 'done', data: data.done, backgroundColor: cssVar('--chart-done') },
              { label: 'faulted', data: data.faulted, backgroundColor: cssVar('--chart-faulted') },
              { label: 'pending', data: data.pending, backgroundColor: cssVar('--chart-pending') }
            ]
          },
          options: { animation: animation, maintainAspectRatio: false,
                     scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true, ticks: { precision: 0 } } } }
        });
      }
      var outcomes = holder.querySelector('#outcomes-chart');
      if (outcomes) {
        var colours = data.statuses.map(function (s) {
          return s === 'done' ? cssVar('--chart-done') : s === 'faulted' ? cssVar('--chart-faulted') : cssVar('--chart-pending');
        });
        new Chart(outcomes, {
          type: 'doughnut',
          data: { labels: data.statuses, datasets: [{ data: data.statusCounts, backgroundColor: colours }] },
          options: { animation: animation, maintainAspectRatio: false }
        });
      }
      var rate = holder.querySelector('#rate-chart');
      if (rate) {
        new Chart(rate, {
          type: 'line',
          data: { labels: data.labels, datasets: [{ label: 'success rate %', data: data.successRate,
                  borderColor: cssVar('--chart-line'), backgroundColor: cssVar('--chart-line'), spanGaps: true }] },
          options: { animation: animation, maintainAspectRatio: false, scales: { y: { min: 0, max: 100 } } }
        });
      }
    });
  }

  document.addEventListener('DOMContentLoaded', function () { drawCharts(document); });
  document.addEventListener('htmx:afterSettle', function (event) { drawCharts(event.target); });
}());
