// SPDX-License-Identifier: MIT
// Not a test: a tool that replays the real data and prints where each detector fires, used to pick the
// fixture sessions hard-coded in detectors_test.cpp. Run with --gtest_also_run_disabled_tests
// --gtest_filter='*FindFixtures*'.
#include <cstdio>

#include <gtest/gtest.h>

#include "calendar/exchange_calendar.hpp"
#include "scanner/strategies.hpp"
#include "unit/scanner/market_data.hpp"

namespace td::scanner::testing {
namespace {

void Replay(const std::string& symbol, const BarSeries& bars, const BarSeries* daily, calendar::Exchange ex,
            int step_minutes, std::shared_ptr<const BarSeries> vix, std::optional<CivilDate> earnings) {
  const auto& zone = calendar::ExchangeCalendar::Get(ex).time_zone();
  std::int64_t last_day = -1;
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const UnixNanos end(bars.ts[i] + bars.spec.IntradayLength().count());
    const auto local = zone.ToLocal(end);
    if (local.minute % step_minutes != 0)
      continue;
    const std::int64_t day = DaysFromCivil(local.date);
    if (day != last_day)
      last_day = day;
    SymbolInput in =
        ex == calendar::Exchange::kNse ? NiftyInput(end) : UsInput(symbol, bars, end, earnings ? 30 : 6, daily);
    in.vol_index = vix;
    in.earnings_date = earnings;
    auto ctx = BuildContext(in, end);
    if (!ctx.ok())
      continue;
    for (const Detection& d : DetectAll(*ctx)) {
      if (d.status != DetectStatus::kSignal)
        continue;
      std::printf("SIG %-22s %-6s %s %s %s\n", std::string(Spec(d.strategy).key).c_str(), symbol.c_str(),
                  calendar::FormatLocalDateTime(local).c_str(), std::string(DirectionName(d.signal->direction)).c_str(),
                  d.reason.c_str());
    }
  }
}

TEST(FixtureFinder, DISABLED_FindFixtures) {
  if (DataDir().empty())
    GTEST_SKIP() << "no data";
  const char* which = std::getenv("TD_FINDER");
  const std::string w = which ? which : "spy";
  if (w == "spy")
    Replay("SPY", Spy1m(), &SpyDaily(), calendar::Exchange::kNyse, 5, Vix5m(), std::nullopt);
  if (w == "qqq")
    Replay("QQQ", Qqq1m(), nullptr, calendar::Exchange::kNyse, 5, nullptr, std::nullopt);
  if (w == "nifty")
    Replay("NIFTY", Nifty1m(), nullptr, calendar::Exchange::kNse, 5, nullptr, std::nullopt);
  if (w == "aapl")
    Replay("AAPL", Bars5m("AAPL"), nullptr, calendar::Exchange::kNyse, 30, nullptr, CivilDate{2025, 10, 30});
  if (w == "nvda")
    Replay("NVDA", Bars5m("NVDA"), nullptr, calendar::Exchange::kNyse, 30, nullptr, CivilDate{2025, 11, 19});
  if (w == "tsla")
    Replay("TSLA", Bars5m("TSLA"), nullptr, calendar::Exchange::kNyse, 30, nullptr, CivilDate{2025, 10, 22});
}

}  // namespace
}  // namespace td::scanner::testing

namespace td::scanner::testing {
namespace {

// Prints the key-level set and ATRs of SPY at TD_AT (ET wall clock), for reviewing fixtures and goldens.
TEST(FixtureFinder, DISABLED_DumpLevels) {
  if (DataDir().empty())
    GTEST_SKIP() << "no data";
  const char* at = std::getenv("TD_AT");
  const UnixNanos as_of = LocalTime(calendar::Exchange::kNyse, at ? at : "2025-10-08 15:20");
  const SymbolContext ctx = BuildContext(UsInput("SPY", Spy1m(), as_of, 6, &SpyDaily()), as_of).value();
  std::printf("price %.2f atr_base %.3f atr5 %.3f atr15 %.3f atr1h %.3f atrD %.3f atrW %.3f htf %.2f daily bars %zu\n",
              ctx.price(), ctx.atr.back(), ctx.atr_5m, ctx.atr_15m, ctx.atr_1h, ctx.atr_daily, ctx.atr_weekly,
              ctx.htf.bias, ctx.daily.size());
  for (const auto& l : ctx.key_levels.levels()) {
    std::printf("  %10.2f %.3f %s %s\n", l.price, l.score, l.primary ? "P" : " ", l.label.c_str());
  }
}

}  // namespace
}  // namespace td::scanner::testing
