//! Every knob of a scenario: unit, default and valid range, in one place.
//!
//! Levers (policies) default to *off*, so a scenario that omits a lever does not have it.
//! Behavioural and market parameters default to the values documented (with their sources)
//! in `docs/ODD.md`.

use crate::section;
use crate::string_enum;

use super::schema::Month;

const INF: f64 = f64::INFINITY;

string_enum! {
    /// Education tier of a person.
    pub enum Education {
        /// A bachelor's degree.
        Bachelor = "bachelor",
        /// A master's degree.
        Master = "master",
        /// A doctorate.
        Phd = "phd",
        /// High-level talent, the tier above a doctorate.
        HighLevel = "high_level",
    }
}

section! {
    /// Macro-economic conventions.
    pub struct Economy {
        /// Exchange rate used for the USD valuation thresholds.
        usd_cny: f64 = 7.0 => [1.0, 20.0] "CNY per USD";
        /// Valuation at which a firm counts as a quasi-unicorn.
        quasi_unicorn_usd: f64 = 1.0e8 => [1.0, INF] "USD";
        /// Valuation at which a firm counts as a unicorn.
        unicorn_usd: f64 = 1.0e9 => [1.0, INF] "USD";
        /// Nominal wage growth, applied to every region's wage and rent.
        wage_growth: f64 = 0.06 => [-0.5, 1.0] "per year";
        /// Monthly wage a graduate can earn outside the simulated regions.
        wage_elsewhere_cny: f64 = 7000.0 => [0.0, INF] "CNY/month";
        /// Monthly rent outside the simulated regions.
        rent_elsewhere_cny: f64 = 2000.0 => [0.0, INF] "CNY/month";
        /// Retirement age: people leave the talent stock at this age.
        retirement_age: f64 = 60.0 => [30.0, 80.0] "years";
    }
}

section! {
    /// The pool outside the simulated regions that every region draws talent from.
    pub struct Elsewhere {
        /// Mobile new graduates per year considering a move to one of the regions (or staying away).
        graduates_per_year: f64 = 200000.0 => [0.0, INF] "people/year";
        /// Growth of the graduate pool.
        graduates_growth: f64 = 0.04 => [-0.5, 1.0] "per year";
        /// Experienced (non-graduate) movers per year considering the regions.
        experienced_per_year: f64 = 50000.0 => [0.0, INF] "people/year";
        /// Growth of the experienced pool.
        experienced_growth: f64 = 0.03 => [-0.5, 1.0] "per year";
        /// High-level talent per year (returnees, senior researchers) choosing where to settle.
        high_level_per_year: f64 = 1000.0 => [0.0, INF] "people/year";
        /// Growth of the high-level pool.
        high_level_growth: f64 = 0.08 => [-0.5, 1.0] "per year";
        /// Share of graduates holding a master's degree.
        master_share: f64 = 0.30 => [0.0, 1.0] "share";
        /// Share of graduates holding a PhD.
        phd_share: f64 = 0.05 => [0.0, 1.0] "share";
        /// Probability that a master's graduate carries a technology that could found a firm.
        tech_share_master: f64 = 0.01 => [0.0, 1.0] "probability";
        /// Probability that a PhD carries a technology.
        tech_share_phd: f64 = 0.08 => [0.0, 1.0] "probability";
        /// Probability that a high-level talent carries a technology.
        tech_share_high_level: f64 = 0.6 => [0.0, 1.0] "probability";
        /// Utility of all places outside the regions together, over one typical place (the log of
        /// the effective number of alternatives a newcomer weighs the regions against).
        outside_utility: f64 = 3.0 => [-50.0, 50.0] "utils";
    }
}

section! {
    /// How people choose where to live and when to leave.
    pub struct Behaviour {
        /// Utility per unit of log wage.
        wage_weight: f64 = 3.0 => [0.0, 100.0] "utils per log CNY";
        /// Utility lost per unit of rent as a share of the wage.
        rent_weight: f64 = 3.0 => [0.0, 100.0] "utils per (rent/wage)";
        /// Utility per unit of the amenity index.
        amenity_weight: f64 = 1.0 => [0.0, 100.0] "utils per index point";
        /// Utility per month of wages received as a one-off welcome package.
        welcome_weight: f64 = 0.5 => [0.0, 100.0] "utils per monthly wage";
        /// Utility per unit of log monthly job-finding probability.
        jobs_weight: f64 = 0.5 => [0.0, 100.0] "utils per log probability";
        /// Share of the pool that considers a region with no recruitment effort.
        base_awareness: f64 = 0.5 => [0.0, 1.0] "share";
        /// Base hazard of leaving a region, employed people.
        leave_rate_employed: f64 = 0.08 => [0.0, 1.0] "per year";
        /// Base hazard of leaving a region, job seekers.
        leave_rate_seeker: f64 = 3.0 => [0.0, 12.0] "per year";
        /// How strongly the leave hazard falls as the region's utility exceeds the outside option.
        leave_sensitivity: f64 = 0.5 => [0.0, 10.0] "per util";
        /// Share of leavers who consider the other simulated regions (the rest go elsewhere).
        relocate_consider: f64 = 0.5 => [0.0, 1.0] "share";
        /// Matching efficiency of the regional labour market (Cobb-Douglas, elasticity 0.5).
        matching_efficiency: f64 = 0.6 => [0.0, 10.0] "per month";
        /// Monthly hazard that a technology carrier founds a firm, at technology quality 1 and no support.
        founding_rate: f64 = 0.01 => [0.0, 1.0] "per month";
        /// Utility of founding per CNY million of expected public support (grants, office, loans).
        support_weight: f64 = 0.15 => [0.0, 100.0] "per CNY million";
        /// Probability that an employee of a startup, if they carry no technology, spins out with one.
        spinout_rate: f64 = 0.0005 => [0.0, 1.0] "per month";
    }
}

section! {
    /// An industry: market growth, margins and how investors value it.
    pub struct Sector {
        /// Sector name (referenced by `focus_sectors`, anchors and programs).
        name: String = String::from("other") => [0, 0] "";
        /// Share of arriving talent trained for this sector.
        talent_share: f64 = 1.0 => [0.0, INF] "relative weight";
        /// Monthly revenue growth of a young firm with a technology of quality 1 in this sector.
        growth: f64 = 0.06 => [0.0, 1.0] "per month";
        /// Revenue a firm with a technology of quality 1 can reach before its niche saturates
        /// (a firm of quality q: q² times this), at start-of-run prices.
        market_cny_year: f64 = 5.0e9 => [1.0, INF] "CNY/year";
        /// Valuation as a multiple of annual revenue.
        revenue_multiple: f64 = 6.0 => [0.0, 1000.0] "x revenue";
        /// Cost multiplier for R&D (hardware and biotech cost more).
        rd_cost: f64 = 1.0 => [0.1, 100.0] "x";
        /// Months of R&D to a first product at technology quality 1, fully staffed.
        months_to_product: f64 = 18.0 => [1.0, 600.0] "months";
    }
}

section! {
    /// Firm dynamics shared by all startups.
    pub struct Firms {
        /// Fully loaded cost of an employee as a multiple of the wage.
        cost_per_wage: f64 = 1.5 => [1.0, 10.0] "x wage";
        /// Founding team size, founder included.
        founding_team: u32 = 3 => [1, 1000] "people";
        /// Founder's own money put into the firm (mean; each founder's is log-normal around it).
        founder_cash_cny: f64 = 500000.0 => [0.0, INF] "CNY";
        /// Log-scale spread of founders' own money (0: every founder brings the same).
        founder_cash_sigma: f64 = 1.5 => [0.0, 5.0] "log CNY";
        /// Log-scale spread of a firm's true quality around the founder's rating of the
        /// technology; also the founder's prior uncertainty about it.
        quality_sigma: f64 = 0.6 => [0.0, 3.0] "log quality";
        /// Noise of a month's feedback about the firm's prospects before launch (larger: firms
        /// learn their quality more slowly).
        signal_noise: f64 = 1.0 => [0.01, 100.0] "log quality per month";
        /// The same after launch, when sales are the feedback.
        signal_noise_launched: f64 = 0.3 => [0.01, 100.0] "log quality per month";
        /// Standard deviation of the monthly innovation to a firm's persistent demand shock
        /// (log niche scale).
        demand_shock_sd: f64 = 0.2 => [0.0, 2.0] "log per month";
        /// Time over which a demand shock decays (AR(1) in logs).
        demand_persistence_years: f64 = 2.0 => [0.1, 1000.0] "years";
        /// The founder's outside option (a job), as the quality of prospects at which going on
        /// and quitting are worth the same.
        quit_quality: f64 = 0.65 => [0.001, 100.0] "quality";
        /// Value of still learning: a founder goes on while belief + option_value × its
        /// standard deviation beats the outside option.
        option_value: f64 = 1.0 => [0.0, 100.0] "sd";
        /// Weight of going unpaid in the founder's decision: utils per year the firm has been
        /// out of cash (after `grace_months`).
        unpaid_weight: f64 = 0.3 => [0.0, 100.0] "utils per year unpaid";
        /// Value to the founder of runway already paid for: utils per year of net burn the
        /// firm's cash covers (up to 3 years).
        runway_weight: f64 = 0.5 => [0.0, 100.0] "utils per year of runway";
        /// Monthly probability that a founder whose prospects fall short of a job closes the firm.
        quit_rate: f64 = 0.3 => [0.0, 1.0] "per month";
        /// Years of firm-only history simulated before the start to give each region its
        /// initial startups (`region.initial_startups_per_year`); 0 starts with none.
        burn_in_years: u32 = 15 => [0, 60] "years";
        /// Headcount a startup aims for per CNY million of cash runway (before product).
        hires_per_million: f64 = 0.8 => [0.0, 1000.0] "people per CNY million";
        /// Revenue an employee can support (capacity).
        revenue_per_employee_cny_year: f64 = 8.0e5 => [1.0, INF] "CNY/year";
        /// Monthly revenue at product launch.
        launch_revenue_cny_month: f64 = 100000.0 => [0.0, INF] "CNY/month";
        /// Gross margin on revenue.
        margin: f64 = 0.4 => [0.0, 1.0] "share";
        /// Share of spending that is R&D before the first product.
        rd_share_early: f64 = 0.7 => [0.0, 1.0] "share";
        /// Share of spending that is R&D after launch.
        rd_share_late: f64 = 0.25 => [0.0, 1.0] "share";
        /// Patent applications per CNY million of R&D.
        patents_per_million: f64 = 0.25 => [0.0, 1000.0] "per CNY million";
        /// Years over which a firm's growth rate halves as it ages.
        growth_halflife_years: f64 = 4.0 => [0.1, 100.0] "years";
        /// Standard deviation of monthly revenue growth shocks.
        growth_noise: f64 = 0.05 => [0.0, 2.0] "per month";
        /// Annual revenue at which a firm counts as industrialized (mass production).
        industrial_revenue_cny_year: f64 = 5.0e7 => [0.0, INF] "CNY/year";
        /// Annual revenue a firm needs to list (it must also have raised a series B; cf. the
        /// STAR Market's CNY 1.5 billion value and CNY 200 million revenue standard).
        listing_revenue_cny_year: f64 = 2.0e8 => [0.0, INF] "CNY/year";
        /// Valuation a firm needs to list.
        listing_valuation_cny: f64 = 1.5e9 => [0.0, INF] "CNY";
        /// Monthly probability of listing once eligible.
        listing_rate: f64 = 0.03 => [0.0, 1.0] "per month";
        /// Monthly acquisition hazard of a launched firm.
        acquisition_rate: f64 = 0.002 => [0.0, 1.0] "per month";
        /// Monthly hazard of relocating elsewhere per util of attractiveness gap.
        relocation_rate: f64 = 0.001 => [0.0, 1.0] "per month per util";
        /// Months a firm with no cash keeps going (founder unpaid) before the founder weighs
        /// closing it.
        grace_months: u32 = 3 => [0, 120] "months";
        /// Office space per employee.
        m2_per_employee: f64 = 10.0 => [0.0, 1000.0] "m2";
    }
}

section! {
    /// The venture-capital market: funds, screening and round sizes. Funds invest in every region.
    pub struct Capital {
        /// Venture funds active at the start.
        funds_initial: u32 = 30 => [0, 1000000] "funds";
        /// New funds raised per year.
        new_funds_per_year: f64 = 8.0 => [0.0, 1.0e6] "funds/year";
        /// Growth of new fund formation.
        new_funds_growth: f64 = 0.08 => [-0.5, 1.0] "per year";
        /// Median fund size.
        fund_size_cny: f64 = 5.0e8 => [0.0, INF] "CNY";
        /// Log-scale spread of fund sizes.
        fund_size_sigma: f64 = 0.8 => [0.0, 5.0] "log CNY";
        /// Investment period of a fund.
        fund_life_years: f64 = 6.0 => [0.5, 50.0] "years";
        /// Noise of an investor's reading of a firm's quality (smaller is a better screener).
        screening_noise: f64 = 0.35 => [0.0, 10.0] "sd";
        /// Signal an investor needs to do a seed round.
        seed_bar: f64 = 0.6 => [-10.0, 10.0] "signal";
        /// Signal an investor needs to do a series A (the series A crunch: the step from a
        /// seed-funded prototype to a business).
        series_a_bar: f64 = 1.1 => [-10.0, 10.0] "signal";
        /// Extra signal needed per stage after series A.
        stage_bar_step: f64 = -0.3 => [-10.0, 10.0] "signal";
        /// Seed round size; later rounds multiply by `round_step`.
        seed_round_cny: f64 = 3.0e6 => [0.0, INF] "CNY";
        /// Multiplier of round size from one stage to the next.
        round_step: f64 = 4.0 => [1.0, 100.0] "x";
        /// Share of the firm sold in a round (sets the post-money valuation).
        dilution: f64 = 0.2 => [0.01, 0.9] "share";
        /// Investor appetite: deals a fund can screen per month.
        deals_per_fund_month: f64 = 0.6 => [0.0, 1000.0] "deals/month";
        /// Weight investors give to what a firm has shown since its last round (revenue growth,
        /// product progress, patents) when judging a series A or later.
        progress_weight: f64 = 0.5 => [0.0, 100.0] "signal per log growth";
        /// Weight investors give, when judging a series A or later, to how the firm's evidence
        /// about its prospects has moved since its last round (its belief now less its belief
        /// then): a later round asks the firm to have beaten what the last round priced in.
        evidence_weight: f64 = 1.0 => [0.0, 100.0] "signal per log prospects";
        /// Weight investors give, when judging a series A or later, to the level of the firm's
        /// evidence about its prospects (`e^belief`, all a seed investor reads).
        level_weight: f64 = 0.0 => [0.0, 100.0] "signal";
        /// Weight investors give to traction when judging a series A or later: the log of the
        /// firm's annual revenue over the revenue the round needs.
        traction_weight: f64 = 0.35 => [0.0, 100.0] "signal per log revenue";
        /// Round size over the annual revenue a round needs (a firm whose revenue reaches
        /// `round / traction_multiple` shows the traction the round asks for).
        traction_multiple: f64 = 8.0 => [0.01, 1000.0] "x";
        /// Signal lost per year a firm has been looking for its next round without raising it
        /// (a deal shopped around: investors read the market's earlier passes).
        stale_penalty: f64 = 1.0 => [0.0, 100.0] "signal per year";
        /// Months between rounds before a firm may raise again.
        months_between_rounds: u32 = 12 => [1, 240] "months";
        /// Bank lending rate.
        loan_rate: f64 = 0.05 => [0.0, 1.0] "per year";
        /// Signal a bank needs to lend to a firm without a guarantee.
        loan_bar: f64 = 1.2 => [-10.0, 10.0] "signal";
        /// Loan size as months of the firm's costs.
        loan_months: f64 = 6.0 => [0.0, 120.0] "months";
        /// Loan term.
        loan_term_months: u32 = 24 => [1, 360] "months";
    }
}

section! {
    /// A chain-leader (anchor) firm of a region.
    pub struct Anchor {
        /// Name of the firm.
        name: String = String::new() => [0, 0] "";
        /// Sector (one of the scenario's sectors).
        sector: String = String::from("other") => [0, 0] "";
        /// Headcount at the start of the run.
        headcount: f64 = 1000.0 => [0.0, INF] "people";
        /// Headcount growth.
        growth: f64 = 0.05 => [-0.5, 2.0] "per year";
        /// Revenue per employee.
        revenue_per_employee_cny_year: f64 = 1.5e6 => [0.0, INF] "CNY/year";
        /// R&D spending as a share of revenue.
        rd_intensity: f64 = 0.1 => [0.0, 1.0] "share";
        /// Startups of its sector it takes into its R&D consortium at once (joint R&D lever).
        consortium_slots: u32 = 10 => [0, 100000] "firms";
    }
}

section! {
    /// Talent housing (Binjiang: 10,000+ talent rental rooms, a three-year doubling plan).
    pub struct Housing {
        /// Talent rental rooms at the start.
        units: f64 = 0.0 => [0.0, INF] "rooms";
        /// Years for the stock to double (0: no growth).
        doubling_years: f64 = 0.0 => [0.0, 100.0] "years";
        /// Most rooms the plan will build.
        max_units: f64 = 0.0 => [0.0, INF] "rooms";
        /// Rent discount on a talent room, as a share of market rent.
        discount: f64 = 0.5 => [0.0, 1.0] "share";
        /// Oldest age eligible.
        max_age: f64 = 35.0 => [0.0, 100.0] "years";
        /// Longest stay in a talent room.
        max_years: f64 = 3.0 => [0.0, 100.0] "years";
    }
}

section! {
    /// The youth welcome package ("nine gifts"): a one-off bundle for arriving young talent.
    pub struct Welcome {
        /// Value of the package per recipient.
        value_cny: f64 = 0.0 => [0.0, INF] "CNY";
        /// Oldest age eligible.
        max_age: f64 = 35.0 => [0.0, 100.0] "years";
    }
}

section! {
    /// Amenities and social life: parks, talent blocks, kindergartens, events.
    pub struct Amenities {
        /// Amenity index at the start (0 = none, 1 = a top city district).
        index: f64 = 0.5 => [0.0, 1.0] "index";
        /// Public investment in amenities.
        investment_cny_year: f64 = 0.0 => [0.0, INF] "CNY/year";
        /// Index points one CNY billion of investment adds (before depreciation).
        index_per_billion: f64 = 0.1 => [0.0, 10.0] "index per CNY billion";
        /// Depreciation of the index above its starting level.
        depreciation: f64 = 0.05 => [0.0, 1.0] "per year";
    }
}

section! {
    /// Recruitment drive and university stations ("hundred schools, thousand firms, ten thousand posts").
    pub struct Recruitment {
        /// Posts offered at campus fairs per year (filled by arriving graduates with a job in hand).
        posts_per_year: f64 = 0.0 => [0.0, INF] "posts/year";
        /// Share of offered posts actually filled.
        fill_rate: f64 = 0.3 => [0.0, 1.0] "share";
        /// Co-built university training stations.
        university_stations: f64 = 0.0 => [0.0, 10000.0] "stations";
        /// Awareness each station adds among the graduate pool.
        awareness_per_station: f64 = 0.02 => [0.0, 1.0] "share per station";
        /// Cost of the drive per year.
        cost_cny_year: f64 = 0.0 => [0.0, INF] "CNY/year";
    }
}

section! {
    /// One-to-one talent service specialists (Xiaoshan: 574).
    pub struct Service {
        /// Specialists employed.
        specialists: f64 = 0.0 => [0.0, INF] "people";
        /// Firms one specialist can follow.
        firms_per_specialist: f64 = 15.0 => [0.0, 10000.0] "firms";
        /// Cost per specialist.
        cost_cny_year: f64 = 200000.0 => [0.0, INF] "CNY/year";
        /// Signal a bank's reading gains for a followed firm (the specialist prepares the file).
        loan_signal: f64 = 0.3 => [0.0, 10.0] "signal";
        /// Raise in the grant application rate of followed firms.
        application_boost: f64 = 1.0 => [0.0, 100.0] "x";
    }
}

section! {
    /// Bank loans with district guarantees and interest subsidies.
    pub struct Loans {
        /// Share of loan losses the district guarantees (lowers the bank's bar).
        guarantee_share: f64 = 0.0 => [0.0, 1.0] "share";
        /// Signal the bank's bar falls per unit of guarantee share.
        guarantee_effect: f64 = 1.0 => [0.0, 10.0] "signal";
        /// Share of interest paid by the district.
        interest_subsidy: f64 = 0.0 => [0.0, 1.0] "share";
    }
}

section! {
    /// The district talent fund: co-invests with venture funds in program firms.
    pub struct TalentFund {
        /// Capital at the start.
        capital_cny: f64 = 0.0 => [0.0, INF] "CNY";
        /// Capital added each year.
        topup_cny_year: f64 = 0.0 => [0.0, INF] "CNY/year";
        /// Share of a round the fund takes alongside the lead investor.
        co_invest_share: f64 = 0.3 => [0.0, 1.0] "share";
        /// Most per deal.
        max_per_deal_cny: f64 = 2.0e7 => [0.0, INF] "CNY";
        /// Signal discount the fund's co-investment gives a lead investor (risk sharing).
        bar_relief: f64 = 0.15 => [0.0, 10.0] "signal";
    }
}

section! {
    /// Joint R&D funding for consortia led by chain leaders (Binjiang: CNY 300 million a year).
    pub struct JointRd {
        /// Budget per year.
        budget_cny_year: f64 = 0.0 => [0.0, INF] "CNY/year";
        /// Most per firm per year.
        max_per_firm_cny_year: f64 = 3.0e6 => [0.0, INF] "CNY/year";
        /// Share paid to startups in anchor consortia (the rest goes to the anchors' own projects).
        startup_share: f64 = 0.3 => [0.0, 1.0] "share";
    }
}

section! {
    /// One award tier of a grant program.
    pub struct Tier {
        /// Tier name ("A", "excellent"...).
        name: String = String::from("A") => [0, 0] "";
        /// Lowest panel score that earns this tier.
        min_score: f64 = 1.0 => [-10.0, 10.0] "score";
        /// Award in CNY for this tier (before the program cap).
        award_cny: f64 = 1.0e6 => [0.0, INF] "CNY";
    }
}

section! {
    /// A startup grant program for high-level talent (Binjiang "5050", Xiaoshan "5213").
    pub struct Grant {
        /// Program name, recorded in `firms.csv` `backed_by_programs`.
        name: String = String::from("grant") => [0, 0] "";
        /// First month the program accepts applications (empty: the scenario start).
        start: Option<Month> = None => [0, 0] "YYYY-MM";
        /// Budget per calendar year for awards.
        budget_cny_year: f64 = 0.0 => [0.0, INF] "CNY/year";
        /// Budget growth.
        budget_growth: f64 = 0.0 => [-0.5, 2.0] "per year";
        /// Lowest education of an eligible founder.
        min_education: Education = Education::Phd => [0, 0] "";
        /// Oldest firm that may apply.
        max_firm_age_months: u32 = 36 => [0, 1200] "months";
        /// Only firms in the region's focus sectors may apply.
        focus_only: bool = false => [0, 0] "";
        /// Monthly probability an eligible firm applies.
        application_rate: f64 = 0.1 => [0.0, 1.0] "per month";
        /// Noise of the market assessment of a project's quality.
        assessment_noise: f64 = 0.3 => [0.0, 10.0] "sd";
        /// Panel members in the collective decision.
        panel_size: u32 = 5 => [1, 1000] "members";
        /// Noise of each panel member's own reading.
        panel_noise: f64 = 0.2 => [0.0, 10.0] "sd";
        /// Award tiers, best first.
        tiers: Vec<Tier> = vec![Tier::default()] => [0, 0] "";
        /// Most a firm can receive in total.
        cap_cny: f64 = 1.0e7 => [0.0, INF] "CNY";
        /// Staged multi-year support (true) or a one-shot award (false).
        staged: bool = false => [0, 0] "";
        /// Years over which a staged award is paid, each tranche gated on product progress.
        stage_years: u32 = 3 => [1, 50] "years";
        /// Follow-on award paid when a staged firm raises its series A (share of its award).
        follow_on_share: f64 = 0.0 => [0.0, 10.0] "share of award";
        /// Free office space per awarded firm.
        office_m2: f64 = 0.0 => [0.0, INF] "m2";
        /// Years of free office space.
        office_years: f64 = 3.0 => [0.0, 100.0] "years";
        /// Share of R&D spending reimbursed.
        rd_subsidy_share: f64 = 0.0 => [0.0, 1.0] "share";
        /// Years of R&D subsidy.
        rd_subsidy_years: f64 = 3.0 => [0.0, 100.0] "years";
        /// Most R&D subsidy per firm per year.
        rd_subsidy_cap_cny_year: f64 = 1.0e6 => [0.0, INF] "CNY/year";
        /// Guaranteed bank loan offered to awarded firms.
        loan_cny: f64 = 0.0 => [0.0, INF] "CNY";
        /// Awarded firms are eligible for the talent fund.
        fund_eligible: bool = true => [0, 0] "";
    }
}

section! {
    /// A startup competition with an accelerator camp (Binjiang Hi TECH; Xiaoshan Vision Valley Cup).
    pub struct Competition {
        /// Competition name.
        name: String = String::from("competition") => [0, 0] "";
        /// First year held.
        first_year: u32 = 2023 => [1900, 2200] "year";
        /// Month of the final.
        month: u32 = 10 => [1, 12] "month of year";
        /// Projects applying in the first year.
        projects: f64 = 300.0 => [0.0, INF] "projects";
        /// Growth of applications.
        projects_growth: f64 = 0.1 => [-0.5, 10.0] "per year";
        /// Median technology quality of applying projects.
        quality_median: f64 = 0.35 => [0.0, 1.0] "quality";
        /// Projects invited to the accelerator camp and final.
        finalists: u32 = 40 => [0, 100000] "projects";
        /// Noise of the jury's reading.
        jury_noise: f64 = 0.3 => [0.0, 10.0] "sd";
        /// Landing award offered to a finalist that settles.
        landing_award_cny: f64 = 0.0 => [0.0, INF] "CNY";
        /// Utility of landing in the region for a project, over its home elsewhere, before the
        /// region's own attractiveness and support are added.
        landing_utility: f64 = -2.5 => [-50.0, 50.0] "utils";
        /// Utility the accelerator camp adds for finalists (contacts, mentoring, the offer).
        camp_utility: f64 = 3.0 => [-50.0, 50.0] "utils";
        /// Cost of running the competition per year.
        cost_cny: f64 = 0.0 => [0.0, INF] "CNY";
    }
}

section! {
    /// A district or city area.
    pub struct Region {
        /// Region name, as it appears in outputs.
        name: String = String::new() => [0, 0] "";
        /// Talent stock at the start.
        initial_talent: f64 = 10000.0 => [0.0, INF] "people";
        /// Share of the initial stock under 35.
        initial_under35: f64 = 0.6 => [0.0, 1.0] "share";
        /// Share of the initial stock that is high-level talent.
        initial_high_level: f64 = 0.005 => [0.0, 1.0] "share";
        /// Jobs at established employers at the start (firms not modelled one by one).
        incumbent_jobs: f64 = 9000.0 => [0.0, INF] "jobs";
        /// Growth of established employers' jobs.
        incumbent_growth: f64 = 0.05 => [-0.5, 2.0] "per year";
        /// Share of job seekers for whom established employers create jobs each month (labour
        /// demand following talent supply: agglomeration).
        incumbent_absorption: f64 = 0.03 => [0.0, 1.0] "per month";
        /// Average monthly wage at the start.
        wage_cny: f64 = 8000.0 => [0.0, INF] "CNY/month";
        /// Market rent of a room at the start.
        rent_cny: f64 = 2500.0 => [0.0, INF] "CNY/month";
        /// Office rent for startups.
        office_rent_cny_m2_month: f64 = 80.0 => [0.0, INF] "CNY/m2/month";
        /// Unobserved attractiveness of the region (calibrated).
        base_utility: f64 = 0.0 => [-50.0, 50.0] "utils";
        /// Utility an entrepreneur gets from founding here (ecosystem, networks), before support.
        startup_climate: f64 = 0.0 => [-50.0, 50.0] "utils";
        /// Startups founded per year in the region before the start, simulated firms-only over
        /// `firms.burn_in_years` to give the run its initial startups (by age, stage, sector).
        initial_startups_per_year: f64 = 0.0 => [0.0, 1.0e6] "firms/year";
        /// Focus sectors (names of the scenario's sectors).
        focus_sectors: Vec<String> = Vec::new() => [0, 0] "";
        /// Public research spending (universities, labs, platforms).
        public_rd_cny_year: f64 = 0.0 => [0.0, INF] "CNY/year";
        /// Growth of public research spending.
        public_rd_growth: f64 = 0.05 => [-0.5, 2.0] "per year";
        /// Patent applications per CNY million of public research.
        public_patents_per_million: f64 = 0.3 => [0.0, 1000.0] "per CNY million";
        /// Chain-leader firms.
        anchor: Vec<Anchor> = Vec::new() => [0, 0] "";
        /// Talent housing.
        housing: Housing = Housing::default() => [0, 0] "";
        /// Youth welcome package.
        welcome: Welcome = Welcome::default() => [0, 0] "";
        /// Amenities.
        amenities: Amenities = Amenities::default() => [0, 0] "";
        /// Recruitment drive and university stations.
        recruitment: Recruitment = Recruitment::default() => [0, 0] "";
        /// Talent service specialists.
        service: Service = Service::default() => [0, 0] "";
        /// Loan guarantees and interest subsidies.
        loans: Loans = Loans::default() => [0, 0] "";
        /// The district talent fund.
        talent_fund: TalentFund = TalentFund::default() => [0, 0] "";
        /// Joint R&D funding.
        joint_rd: JointRd = JointRd::default() => [0, 0] "";
        /// Startup grant programs.
        grant: Vec<Grant> = Vec::new() => [0, 0] "";
        /// Startup competitions.
        competition: Vec<Competition> = Vec::new() => [0, 0] "";
    }
}

fn default_sectors() -> Vec<Sector> {
    let s = |name: &str, share: f64, growth: f64, market: f64, mult: f64, rd: f64, months: f64| {
        Sector {
            name: name.into(),
            talent_share: share,
            growth,
            market_cny_year: market,
            revenue_multiple: mult,
            rd_cost: rd,
            months_to_product: months,
        }
    };
    vec![
        s("iot", 0.25, 0.08, 4.0e9, 6.0, 1.2, 18.0),
        s("manufacturing", 0.15, 0.05, 6.0e9, 3.5, 1.5, 24.0),
        s("health", 0.1, 0.05, 5.0e9, 8.0, 2.0, 36.0),
        s("internet", 0.3, 0.1, 3.0e9, 7.0, 0.8, 12.0),
        s("materials", 0.05, 0.04, 6.0e9, 3.0, 1.8, 30.0),
        s("vehicles", 0.05, 0.06, 8.0e9, 5.0, 2.0, 30.0),
        s("energy", 0.05, 0.05, 6.0e9, 5.0, 1.5, 24.0),
        s("other", 0.1, 0.05, 3.0e9, 4.0, 1.0, 18.0),
    ]
}

section! {
    /// A scenario: the regions, their levers and the world around them.
    pub struct ScenarioDef {
        /// Scenario name.
        name: String = String::from("scenario") => [0, 0] "";
        /// What this scenario is for.
        description: String = String::new() => [0, 0] "";
        /// First simulated month.
        start: Month = Month::new(2010, 1) => [0, 0] "YYYY-MM";
        /// Last simulated month (inclusive).
        end: Month = Month::new(2023, 12) => [0, 0] "YYYY-MM";
        /// People each aggregated person agent stands for (a whole number); founders, startup staff and firms are one agent each at any scale.
        scale: f64 = 1.0 => [1.0, 1.0e6] "people per agent";
        /// Default seed (`--seed` overrides it).
        seed: u64 = 1 => [0, 9.0e18] "";
        /// Memory the run may use (0: what the machine has available).
        memory_limit_gib: f64 = 0.0 => [0.0, INF] "GiB";
        /// Macro conventions.
        economy: Economy = Economy::default() => [0, 0] "";
        /// The talent pool outside the regions.
        elsewhere: Elsewhere = Elsewhere::default() => [0, 0] "";
        /// Location and founding behaviour.
        behaviour: Behaviour = Behaviour::default() => [0, 0] "";
        /// Firm dynamics.
        firms: Firms = Firms::default() => [0, 0] "";
        /// The venture-capital market.
        capital: Capital = Capital::default() => [0, 0] "";
        /// Sectors.
        sector: Vec<Sector> = default_sectors() => [0, 0] "";
        /// Regions.
        region: Vec<Region> = Vec::new() => [0, 0] "";
        /// Targets the scenario is meant to meet (`talentsim compare` gives the probability).
        target: Vec<Target> = Vec::new() => [0, 0] "";
    }
}

section! {
    /// A target, such as a plan's goal: met when the statistic is at least `at_least`.
    pub struct Target {
        /// Target name, as it appears in the comparison.
        name: String = String::new() => [0, 0] "";
        /// What is measured; its window's end (`stat.to`) is the month by which it must be met.
        stat: super::stat::Stat = super::stat::Stat::default() => [0, 0] "";
        /// Threshold (required): the target is met in a run when the statistic is at least this.
        at_least: f64 = f64::NAN => [-INF, INF] "unit of the statistic";
    }
}
