//! What the month's phases note as they apply decisions: per region, in real units.

/// What happened in one region this month, in real units (people, firms, CNY).
#[derive(Clone, Debug, Default)]
pub struct Events {
    /// Graduates arriving (people).
    pub graduate_arrivals: u64,
    /// Graduates under 35 arriving (people).
    pub graduate_arrivals_under35: u64,
    /// All arrivals: graduates, experienced movers, recruited and high-level talent, landed
    /// competition founders (people).
    pub arrivals: u64,
    pub(crate) high_level_arrivals: u64,
    /// People leaving for elsewhere or another region; retirements excluded (people).
    pub departures: u64,
    pub(crate) retirements: u64,
    pub(crate) people_moved_in: u64,
    pub(crate) people_moved_out: u64,
    /// Startups founded (firms).
    pub new_firms: u64,
    /// Startups failed (firms).
    pub failures: u64,
    /// Startups acquired (firms).
    pub acquisitions: u64,
    /// Startups listed (firms).
    pub listings: u64,
    /// Firms moved in from another region (firms).
    pub relocations_in: u64,
    /// Firms moved out to another region or out of the simulated regions (firms).
    pub relocations_out: u64,
    /// Venture rounds closed.
    pub rounds: u64,
    pub(crate) vc_capital: f64,
    /// Talent-fund equity invested (CNY).
    pub talent_fund: f64,
    /// Grants paid: tranches, follow-ons, landing awards (CNY).
    pub grant: f64,
    /// Bank loans granted (CNY).
    pub loan: f64,
    pub(crate) competition_projects: u64,
    /// Competition projects that landed as startups (firms).
    pub competition_landed: u64,
    // Census of people, taken in the apply pass.
    /// People living in the region at the end of the month.
    pub stock: u64,
    pub(crate) under35: u64,
    /// High-level talent living in the region (people).
    pub high_level: u64,
    /// People employed, founders included.
    pub employed: u64,
    pub(crate) seekers: u64,
    /// People running their own firm.
    pub founders: u64,
    /// People living in talent housing.
    pub housed: u64,
    // Policy spending by lever.
    pub(crate) spend_grants: f64,
    pub(crate) spend_housing: f64,
    pub(crate) spend_welcome: f64,
    pub(crate) spend_office: f64,
    pub(crate) spend_rd_subsidy: f64,
    pub(crate) spend_joint_rd: f64,
    pub(crate) spend_loan_support: f64,
    pub(crate) spend_service: f64,
    pub(crate) spend_recruitment: f64,
    pub(crate) spend_competition: f64,
    pub(crate) spend_amenities: f64,
    // Public research (not agent-based).
    pub(crate) rd_public_real: f64,
    pub(crate) patents_public_real: u64,
}
