// The Atoll page of the dashboard: apps, their releases, instances per zone and node, and running
// deploys, from /dashboard/overview every few seconds. Every value goes in as text, never as HTML.
(function () {
  'use strict';

  function cell(row, text) {
    var td = document.createElement('td');
    td.textContent = text == null ? '' : String(text);
    row.appendChild(td);
    return td;
  }

  function badge(parent, text, state) {
    var span = document.createElement('span');
    span.className = 'state ' + state;
    span.textContent = text;
    parent.appendChild(span);
  }

  function fill(id, items, columns, render) {
    var body = document.querySelector('#' + id + ' tbody');
    body.replaceChildren();
    if (items.length === 0) {
      var row = body.insertRow();
      var td = cell(row, 'none');
      td.colSpan = columns;
      td.className = 'empty';
      return;
    }
    items.forEach(function (item) { render(body.insertRow(), item); });
  }

  function show(overview) {
    fill('apps', overview.apps, 5, function (row, app) {
      cell(row, app.name + (app.deleting ? ' (deleting)' : ''));
      cell(row, app.team || 'admins');
      cell(row, app.serving || '-');
      var placed = cell(row, app.instances + ' wanted: ');
      app.placed.forEach(function (i) { badge(placed, i.state, i.state); });
      cell(row, app.releases.map(function (r) {
        return r.version + ' ' + r.cause + (r.causeDetail ? ' (' + r.causeDetail + ')' : '') + ' ' + r.image;
      }).join('\n'));
    });
    var byNode = {};
    overview.apps.forEach(function (app) {
      app.placed.forEach(function (i) { (byNode[i.node] = byNode[i.node] || []).push({app: app.name, i: i}); });
    });
    var nodes = overview.nodes.slice().sort(function (a, b) {
      return (a.zone + a.nodeId).localeCompare(b.zone + b.nodeId);
    });
    fill('nodes', nodes, 4, function (row, node) {
      cell(row, node.zone);
      cell(row, node.nodeId + (node.maintenance ? ' (maintenance)' : ''));
      cell(row, node.host);
      var where = cell(row, (byNode[node.nodeId] || []).length === 0 ? 'none' : '');
      (byNode[node.nodeId] || []).forEach(function (p) {
        badge(where, p.app + ' ' + (p.i.release || '') + ' ' + p.i.state, p.i.state);
      });
    });
    fill('deploys', overview.deploys, 7, function (row, d) {
      [d.app, d.id, d.status, d.image, d.release, d.author, d.startedAt].forEach(function (v) { cell(row, v); });
    });
    var status = document.getElementById('status');
    status.className = '';
    status.textContent = overview.apps.length + ' apps, ' + overview.nodes.length + ' nodes, '
        + overview.deploys.length + ' deploys in progress; as of ' + new Date(overview.at).toLocaleTimeString();
  }

  function refresh() {
    fetch('overview', {credentials: 'same-origin', headers: {Accept: 'application/json'}})
      .then(function (response) {
        if (!response.ok) { throw new Error('the overview answered ' + response.status); }
        return response.json();
      })
      .then(show)
      .catch(function (e) {
        var status = document.getElementById('status');
        status.className = 'error';
        status.textContent = e.message;
      });
  }

  refresh();
  setInterval(refresh, 5000);
}());
