#include "report/timeline.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "report/markup.hpp"

namespace kvittens::harness {

namespace {

using std::chrono::hours;
using std::chrono::seconds;

std::string esc(const std::string& s) {
  return escape_markup(s);
}

// An id usable in a URL fragment: letters, digits, '-' kept; anything else as _XX.
std::string slug(const std::string& s) {
  std::string o;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-') {
      o += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "_%02X", c);
      o += buf;
    }
  }
  return o;
}

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

struct Mark {
  Instant at;
  std::string shape;  // tag | lock | none | note | error | declined
  std::string title;
};

struct Bar {
  std::string lane;
  Instant start, end;
  std::optional<std::pair<Instant, Instant>> original;  // times before an edit
  std::string cls;                                      // approved|reduced|rejected|none|...
  std::string label;
  std::string title;
  std::string href;
  bool hatched = false;  // declined
  bool manual = false;
  std::vector<Mark> marks;
};

struct Point {
  std::string lane;
  Mark mark;
};

std::string receipt_text(const Receipt& r, Place place) {
  std::string s;
  switch (r.kind) {
    case ReceiptKind::Nfc:
      s = "NFC tag " + r.tag_uid;
      break;
    case ReceiptKind::Lock:
      s = "lock " + (r.lock ? r.lock->lock_id + " entry " + std::to_string(r.lock->seq) : "");
      break;
    case ReceiptKind::None:
      s = "no receipt";
      break;
  }
  if (place != Place::Door) s += std::string(" (") + to_string(place) + ")";
  return s;
}

std::string receipt_shape(const Receipt& r) {
  return r.kind == ReceiptKind::Nfc ? "tag" : r.kind == ReceiptKind::Lock ? "lock" : "none";
}

// The clauses a rejection rests on, as a comma-separated list: those of the rejected insatser,
// else the visit's (not "2").
std::string rejecting_clauses(const VisitDecision& d) {
  std::vector<std::string> out;
  auto add = [&](std::string_view c) {
    if (c != "2" && std::find(out.begin(), out.end(), c) == out.end()) out.emplace_back(c);
  };
  for (const auto& i : d.insatser) {
    if (i.state == DecisionState::Rejected) {
      for (const auto& t : i.trace) add(t.clause);
    }
  }
  if (out.empty()) {
    for (const auto& t : d.trace) add(t.clause);
  }
  std::string s;
  for (const auto& c : out) s += (s.empty() ? "" : ", ") + c;
  return s;
}

std::string decision_label(const VisitDecision& d) {
  switch (d.state) {
    case DecisionState::Approved:
      return std::to_string(d.paid_minutes) + " min paid";
    case DecisionState::Reduced:
      return std::to_string(d.paid_minutes) + " of " + std::to_string(d.registered_minutes) +
             " min paid";
    case DecisionState::Rejected:
      return "rejected (" + rejecting_clauses(d) + ")";
  }
  return "";
}

class Timeline {
 public:
  Timeline(const RunResult& r, const Scenario* s, std::size_t run) : r_(r), s_(s), run_(run) {
    for (const auto& d : r.decisions.visits) decisions_.emplace(d.id, &d);
    collect();
  }

  std::string svg() const {
    std::ostringstream o;
    auto clusters = cluster();
    double height = 8;
    for (const auto& c : clusters) height += kHead + lanes_height(c) + kGap;
    if (clusters.empty()) height = 60;
    o << "<svg class=\"timeline\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" << kWidth
      << "\" height=\"" << num(height) << "\" viewBox=\"0 0 " << kWidth << " " << num(height)
      << "\" role=\"img\" aria-label=\"timeline of " << esc(r_.name) << "\">";
    if (clusters.empty()) {
      o << "<text x=\"12\" y=\"34\" class=\"empty\">"
        << (r_.status == RunStatus::Error ? "could not run: nothing registered"
                                          : "nothing registered with staff or time")
        << "</text></svg>";
      return o.str();
    }
    double y = 8;
    for (const auto& c : clusters) {
      draw_axis(o, c, y, kHead, lanes_height(c));
      y += kHead;
      for (const auto& lane : c.lanes) {
        const int rows = c.rows.at(lane);
        const double h = kRow * rows + 4;
        o << "<g class=\"lane\"><rect class=\"lane-bg\" x=\"0\" y=\"" << num(y) << "\" width=\""
          << kWidth << "\" height=\"" << num(h) << "\"/>";
        o << "<text class=\"lane-label\" x=\"8\" y=\"" << num(y + 29) << "\">"
          << esc(lane_title(lane)) << "<title>" << esc(lane) << "</title></text></g>";
        for (const auto& [b, row] : c.bars) {
          if (b->lane == lane) draw_bar(o, *b, c, y + kRow * row);
        }
        for (const auto* p : c.points) {
          // Just left of the moment, so a receipt drawn there stays visible.
          if (p->lane == lane) draw_mark(o, p->mark, x(c, p->mark.at) - 12, y + 25);
        }
        y += h;
      }
      y += kGap;
    }
    o << "</svg>";
    return o.str();
  }

 private:
  static constexpr int kWidth = 940;
  static constexpr double kLeft = 150, kRight = 16;
  static constexpr double kHead = 26, kRow = 48, kGap = 14;

  struct Cluster {
    Instant t0, t1;
    std::vector<std::string> lanes;
    std::vector<std::pair<const Bar*, int>> bars;  // with the row in its lane
    std::vector<const Point*> points;
    std::map<std::string, int> rows;  // rows per lane
  };

  static double lanes_height(const Cluster& c) {
    double h = 0;
    for (const auto& l : c.lanes) h += kRow * c.rows.at(l) + 4;
    return h;
  }

  // Width of a label in pixels, roughly (11 px sans-serif; UTF-8 continuation bytes skipped).
  static double text_width(const std::string& s) {
    double n = 0;
    for (unsigned char ch : s) {
      if ((ch & 0xC0) != 0x80) n += 1;
    }
    return n * 6.3;
  }

  std::string lane_title(const std::string& lane) const {
    if (s_) {
      for (const auto& st : s_->world.staff) {
        if (st.id == lane) return st.name.empty() ? st.id : st.name;
      }
    }
    return lane;
  }

  std::string href(const std::string& id) const {
    return decisions_.count(id) ? "#" + decision_anchor(run_, id) : "";
  }

  void decide(Bar& b, const std::string& id, const std::string& what) {
    const auto it = decisions_.find(id);
    if (it == decisions_.end()) {
      // Decisions derived from one registration are named "<id>/..." (an absence's days).
      int parts = 0, paid = 0;
      std::string first;
      for (const auto& [did, d] : decisions_) {
        if (did.rfind(id + "/", 0) != 0) continue;
        if (parts++ == 0) first = did;
        paid += d->paid_minutes;
      }
      if (parts > 0) {
        b.cls = paid > 0 ? "approved" : "rejected";
        b.label = id + " · " + std::to_string(paid) + " min paid over " + std::to_string(parts) +
                  " decisions";
        b.title = what + " " + id + ": " + b.label.substr(id.size() + 3);
        b.href = href(first);
        return;
      }
      std::string why = "no decision";
      for (const auto& sub : r_.log.submissions) {
        if (sub.id == id && sub.delivered && !sub.result.accepted) {
          why = "refused" + (sub.result.clause.empty() ? "" : " (" + sub.result.clause + ")");
        }
      }
      b.cls = "none";
      b.label = id + " · " + why;
      b.title = what + " " + id + ": " + why;
      return;
    }
    const VisitDecision& d = *it->second;
    b.cls = to_string(d.state);
    b.label = id + " · " + decision_label(d);
    b.title = what + " " + id + ": " + to_string(d.state) + ", " + std::to_string(d.paid_minutes) +
              " of " + std::to_string(d.registered_minutes) + " min paid";
    b.href = href(id);
    b.start = d.start;
    b.end = d.end;
  }

  void collect() {
    const auto& regs = r_.registrations;
    for (const auto& v : regs.visits) {
      Bar b;
      b.lane = v.staff;
      b.start = v.edit ? v.edit->start : v.start;
      b.end = v.edit ? v.edit->end : v.end;
      if (v.edit) b.original = std::pair{v.start, v.end};
      decide(b, v.id, "visit");
      b.manual = v.manual;
      if (v.manual) b.label += " · manual";
      b.marks.push_back({b.original ? b.original->first : b.start, receipt_shape(v.start_receipt),
                         "start: " + receipt_text(v.start_receipt, v.start_place)});
      b.marks.push_back({b.original ? b.original->second : b.end, receipt_shape(v.end_receipt),
                         "end: " + receipt_text(v.end_receipt, v.end_place)});
      if (!v.note.empty()) b.marks.push_back({b.start, "note", "note: " + v.note});
      if (v.edit) {
        b.marks.push_back({b.start, "edit",
                           "times edited to " + format_local(v.edit->start) + "–" +
                               format_local(v.edit->end).substr(11) +
                               (v.edit->note.empty() ? ", no note" : ": " + v.edit->note)});
      }
      if (v.declined_after_start) {
        b.hatched = true;
        b.marks.push_back({b.start, "declined", "the customer declined after the start"});
      }
      std::string insatser;
      for (const auto& i : v.insatser) insatser += (insatser.empty() ? "" : ", ") + i.insats;
      if (!insatser.empty()) b.title += "; insatser " + insatser;
      bars_.push_back(std::move(b));
    }
    for (const auto& x : regs.double_staffing) {
      Bar b;
      b.lane = x.staff;
      b.start = x.start;
      b.end = x.end;
      decide(b, x.id, "double staffing");
      b.label += " · double staffing";
      if (!x.note.empty()) b.marks.push_back({b.start, "note", "note: " + x.note});
      bars_.push_back(std::move(b));
    }
    for (const auto& x : regs.shared) {
      Bar b;
      b.lane = x.staff;
      b.start = x.start;
      b.end = x.end;
      b.cls = "shared";
      b.label = x.id + " · shared " + x.insats + " for " + std::to_string(x.customers.size());
      b.title = b.label;
      bars_.push_back(std::move(b));
    }
    for (const auto& x : regs.declined) {
      Bar b;
      b.lane = x.staff;
      b.start = x.planned_start;
      b.end = x.planned_end;
      decide(b, x.id, "declined visit");
      b.start = x.planned_start;
      b.end = x.planned_end;
      b.hatched = true;
      b.label = x.id + " · declined · " + b.label.substr(b.label.find(" · ") + 3);
      b.marks.push_back(
          {x.declined_at, "declined", "declined, told at " + format_local(x.declined_at)});
      if (!x.note.empty()) b.marks.push_back({b.start, "note", "note: " + x.note});
      bars_.push_back(std::move(b));
    }
    for (const auto& x : regs.absences) {
      Bar b;
      b.lane = "customer " + x.customer;
      b.start = x.start;
      b.end = x.end ? *x.end : x.start + hours(24);
      decide(b, x.id, "absence");
      if (b.cls == "none") b.cls = "absence";
      b.start = x.start;
      b.end = x.end ? *x.end : x.start + hours(24);
      b.label += " · absence (" + x.reason + ")" + (x.end ? "" : ", end unknown");
      b.title += ", notified " + format_local(x.notified_at);
      bars_.push_back(std::move(b));
    }
    std::set<std::string> staff;
    for (const auto& b : bars_) staff.insert(b.lane);
    if (s_) {
      for (const auto& st : s_->world.staff) staff.insert(st.id);
    }
    for (const auto& l : r_.log.lines) {
      if (!staff.count(l.who)) continue;
      if (l.what.find("not let in") != std::string::npos) {
        points_.push_back({l.who, {l.at, "declined", l.what}});
      } else if (l.what.find("failed") != std::string::npos) {
        points_.push_back({l.who, {l.at, "error", l.what}});
      }
    }
  }

  // Groups bars and points that lie within a few hours of each other into one axis, so a
  // scenario spread over months still shows its visits at a readable scale.
  std::vector<Cluster> cluster() const {
    struct Item {
      Instant a, b;
      const Bar* bar;
      const Point* point;
    };
    std::vector<Item> items;
    for (const auto& b : bars_) {
      Instant a = std::min(b.start, b.original ? b.original->first : b.start);
      Instant e = std::max(b.end, b.original ? b.original->second : b.end);
      for (const auto& m : b.marks) a = std::min(a, m.at), e = std::max(e, m.at);
      items.push_back({a, std::max(a, e), &b, nullptr});
    }
    for (const auto& p : points_) items.push_back({p.mark.at, p.mark.at, nullptr, &p});
    std::stable_sort(items.begin(), items.end(),
                     [](const Item& x, const Item& y) { return x.a < y.a; });
    std::vector<Cluster> out;
    for (const auto& it : items) {
      if (out.empty() || it.a - out.back().t1 > hours(4))
        out.push_back({it.a, it.b, {}, {}, {}, {}});
      auto& c = out.back();
      c.t1 = std::max(c.t1, it.b);
      if (it.bar) c.bars.push_back({it.bar, 0});
      if (it.point) c.points.push_back(it.point);
    }
    for (auto& c : out) {
      c.t0 = std::chrono::floor<hours>(c.t0 - std::chrono::minutes(10));
      c.t1 = std::chrono::ceil<hours>(c.t1 + std::chrono::minutes(10));
      std::vector<std::string> lanes;
      for (const auto& [b, row] : c.bars) lanes.push_back(b->lane);
      for (const auto* p : c.points) lanes.push_back(p->lane);
      // Staff in the world's order, then customers' lanes.
      if (s_) {
        for (const auto& st : s_->world.staff) {
          if (std::find(lanes.begin(), lanes.end(), st.id) != lanes.end()) c.lanes.push_back(st.id);
        }
      }
      for (const auto& l : lanes) {
        if (std::find(c.lanes.begin(), c.lanes.end(), l) == c.lanes.end()) c.lanes.push_back(l);
      }
      // Bars that would overlap (with their labels) go to the next free row of their lane.
      std::map<std::string, std::vector<double>> ends;  // lane -> right edge per row
      for (auto& [b, row] : c.bars) {
        const double x0 = x(c, b->start);
        const double x1 = std::max(x(c, b->end), x0 + text_width(b->label));
        auto& rows = ends[b->lane];
        std::size_t r = 0;
        while (r < rows.size() && rows[r] > x0 - 6) ++r;
        if (r == rows.size()) rows.push_back(0);
        rows[r] = x1;
        row = static_cast<int>(r);
      }
      for (const auto& l : c.lanes) c.rows[l] = std::max<int>(1, static_cast<int>(ends[l].size()));
    }
    return out;
  }

  static double x(const Cluster& c, Instant t) {
    const double span = static_cast<double>((c.t1 - c.t0).count());
    const double at = static_cast<double>((t - c.t0).count());
    return kLeft + (kWidth - kLeft - kRight) * std::clamp(at / span, 0.0, 1.0);
  }

  static void draw_axis(std::ostringstream& o, const Cluster& c, double y, double head_h,
                        double lanes_h) {
    const auto span = c.t1 - c.t0;
    hours step{1};
    for (int h : {1, 2, 3, 6, 12, 24, 48, 168}) {
      step = hours(h);
      if (span / step <= 10) break;
    }
    o << "<g class=\"axis\"><text class=\"day\" x=\"8\" y=\"" << num(y + 16) << "\">"
      << esc(format_local(c.t0).substr(0, 10)) << "</text>";
    for (Instant t = c.t0; t <= c.t1; t += step) {
      const double tx = x(c, t);
      const std::string local = format_local(t);
      const std::string label = local.substr(11, 5) == "00:00" || step >= hours(24)
                                    ? local.substr(5, 5)
                                    : local.substr(11, 5);
      o << "<line x1=\"" << num(tx) << "\" x2=\"" << num(tx) << "\" y1=\"" << num(y + head_h - 4)
        << "\" y2=\"" << num(y + head_h + lanes_h) << "\"/><text class=\"tick\" x=\"" << num(tx)
        << "\" y=\"" << num(y + 16) << "\">" << esc(label) << "</text>";
    }
    o << "</g>";
  }

  static void draw_mark(std::ostringstream& o, const Mark& m, double cx, double cy) {
    o << "<g class=\"mark " << m.shape << "\">";
    if (m.shape == "tag") {
      o << "<circle cx=\"" << num(cx) << "\" cy=\"" << num(cy) << "\" r=\"5.5\"/>";
    } else if (m.shape == "lock") {
      o << "<path class=\"shackle\" d=\"M" << num(cx - 3) << " " << num(cy - 2)
        << "v-3a3 3 0 0 1 6 0v3\"/><rect x=\"" << num(cx - 5) << "\" y=\"" << num(cy - 2.5)
        << "\" width=\"10\" height=\"8\" rx=\"1.5\"/>";
    } else if (m.shape == "none") {
      o << "<circle cx=\"" << num(cx) << "\" cy=\"" << num(cy) << "\" r=\"5.5\"/><path d=\"M"
        << num(cx - 3) << " " << num(cy - 3) << "l6 6m0 -6l-6 6\"/>";
    } else if (m.shape == "note") {
      o << "<rect x=\"" << num(cx - 4) << "\" y=\"" << num(cy - 4) << "\" width=\"8\" height=\"8\" "
        << "transform=\"rotate(45 " << num(cx) << " " << num(cy) << ")\"/>";
    } else if (m.shape == "edit") {
      o << "<path d=\"M" << num(cx - 5) << " " << num(cy + 5) << "l8 -8l3 3l-8 8z\"/>";
    } else if (m.shape == "declined") {
      o << "<circle cx=\"" << num(cx) << "\" cy=\"" << num(cy) << "\" r=\"5\"/><path d=\"M"
        << num(cx - 3.5) << " " << num(cy + 3.5) << "l7 -7\"/>";
    } else {  // error
      o << "<path d=\"M" << num(cx) << " " << num(cy - 6) << "l6 11h-12z\"/>";
    }
    o << "<title>" << esc(m.title) << "</title></g>";
  }

  void draw_bar(std::ostringstream& o, const Bar& b, const Cluster& c, double y) const {
    const double x0 = x(c, b.start), x1 = std::max(x(c, b.end), x0 + 3);
    if (b.original) {
      const double o0 = x(c, b.original->first), o1 = std::max(x(c, b.original->second), o0 + 3);
      o << "<rect class=\"original\" x=\"" << num(o0) << "\" y=\"" << num(y + 15) << "\" width=\""
        << num(o1 - o0) << "\" height=\"20\"><title>as recorded by the app: "
        << esc(format_local(b.original->first)) << "–"
        << esc(format_local(b.original->second).substr(11)) << "</title></rect>";
    }
    if (!b.href.empty()) o << "<a href=\"" << esc(b.href) << "\">";
    o << "<g class=\"bar " << b.cls << (b.hatched ? " hatched" : "") << (b.manual ? " manual" : "")
      << "\"><rect x=\"" << num(x0) << "\" y=\"" << num(y + 17) << "\" width=\"" << num(x1 - x0)
      << "\" height=\"16\" rx=\"3\"/>";
    if (b.hatched) {
      o << "<rect class=\"hatch\" x=\"" << num(x0) << "\" y=\"" << num(y + 17) << "\" width=\""
        << num(x1 - x0) << "\" height=\"16\" rx=\"3\"/>";
    }
    o << "<text class=\"bar-label\" x=\"" << num(x0) << "\" y=\"" << num(y + 13) << "\">"
      << esc(b.label) << "</text><title>" << esc(b.title) << "</title></g>";
    if (!b.href.empty()) o << "</a>";
    // Receipts at the ends of the bar; notes, edits and declines in a row beneath its start.
    double deco = x0 + 6;
    for (const auto& m : b.marks) {
      if (m.shape == "tag" || m.shape == "lock" || m.shape == "none") {
        draw_mark(o, m, x(c, m.at), y + 25);
      } else {
        draw_mark(o, m, deco, y + 42);
        deco += 15;
      }
    }
  }

  const RunResult& r_;
  const Scenario* s_;
  std::size_t run_;
  std::map<std::string, const VisitDecision*> decisions_;
  std::vector<Bar> bars_;
  std::vector<Point> points_;
};

}  // namespace

std::string decision_anchor(std::size_t run, const std::string& id) {
  return "d" + std::to_string(run) + "-" + slug(id);
}

std::string timeline_svg(const RunResult& result, const Scenario* scenario, std::size_t run) {
  return Timeline(result, scenario, run).svg();
}

}  // namespace kvittens::harness
