"""The public API, pinned: every public module of fipgen (each ``generator/**/*.py`` whose name
has no leading underscore, packages by their ``__init__``) declares ``__all__``, every name in it
exists, and it equals the list below. A change to the API shows up here as a deliberate edit."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest

import fipgen

PUBLIC_API: dict[str, list[str]] = {
    "fipgen": ["__version__"],
    "fipgen.card": [
        "CARD_VERSION", "CARD_VERSIONS", "PRODUCTION_CHANNELS", "CASCADE_PARENTS", "DETECTION_MODES",
        "SCATTER_PROCESSES", "COMPRESSIONS", "MAX_POT", "MAX_TRIALS", "Key", "OUTPUT_FORMATS", "RESONANCE_FAMILIES",
        "NUMBER", "SCHEMA", "MODEL_PARTICLES", "ModelSpec", "ZPrimeSpec", "RunCard", "parse_card", "load_card",
        "default_card_name", "load_packaged_card"
    ],
    "fipgen.cascade": [],
    "fipgen.cascade.beam_showers": [
        "BEAM_SHOWERS", "beam_showers_count", "beam_content_key", "beam_cached_path", "beam_seeds", "build_beam_tables"
    ],
    "fipgen.cascade.build": [
        "default_pot", "beamline_pot", "beamline_seeds", "cache_dir", "physics_content", "solid_content", "content_key",
        "cache_key", "cached_path", "build_tables", "load_tables"
    ],
    "fipgen.cascade.engine": ["RECORDED_SPECIES", "CascadeResult", "HadronCascade"],
    "fipgen.cascade.isospin": [
        "Multiplets", "allows_isospin", "clebsch_gordan", "isospin_one_share", "multiplets", "nn_charge_states",
        "recharge", "remass_pair", "to_lab"
    ],
    "fipgen.cascade.nucleus": ["ASHERY_ABSORPTION", "IntranuclearCascade", "Nucleus", "absorption_cross_section"],
    "fipgen.cascade.pythia": [
        "PYTHIA_REQUIREMENT", "TABULATED_A", "CascadeSettings", "ExcitationSampler", "NuclearModel", "NucleusRule",
        "hadron_nucleon_generator", "nucleus_rule", "pythia_version", "init_file", "make_cascade", "quiet_stdout"
    ],
    "fipgen.cascade.records": [
        "KINDS", "PRODUCED", "DECAY_IN_FLIGHT", "DECAY_AT_REST", "CAPTURED", "EM_SEED", "COLLISION",
        "RECORD_DTYPE", "LEDGER_TERMS"
    ],
    "fipgen.cascade.showers": [
        "SPECIES_INDEX", "N_SEEDS", "select_seeds", "forward_photons", "shower_task", "shower_arrays"
    ],
    "fipgen.cascade.stepping": ["interp", "StoppingLookup", "LEFT", "STOPPED", "DECAYED", "SLOW", "glide"],
    "fipgen.cascade.tables": ["TABLE_FORMAT", "N_BATCHES", "region_key", "make_tables", "read_header"],
    "fipgen.cascade.world": ["Region", "World", "world_of"],
    "fipgen.cli": ["build_parser", "main"],
    "fipgen.constants": [
        "ALPHA_EM", "HBARC_GEV_M", "C_M_PER_NS", "G_FERMI", "PDG_ZPRIME", "PDG_ALP", "PDG_HNL", "mass", "mass_or_none",
        "width", "charge", "name", "PHOTON", "pdg_values"
    ],
    "fipgen.decays": [
        "sample_decays", "DecayProducts", "DEFAULT_RESONANCES", "three_body_density", "dgamma_nc", "dgamma_cc",
        "dgamma_3nu", "NAMES", "parse_channel", "decay_resonances", "sample_dalitz", "three_body_momenta"
    ],
    "fipgen.decays.fourpion": [
        "FourPionCurrent", "DEFAULT_CURRENT", "final_state_kind", "canonical_order", "amplitude2", "amplitude2_numpy",
        "current_numpy", "sample_four_pion", "acceptance", "omega_fraction", "phase_space_density"
    ],
    "fipgen.decays.hnl_matrix_elements": [
        "SIN2_THETA_W", "nc_couplings", "dgamma_nc", "dgamma_cc", "dgamma_3nu", "spin_ratio"
    ],
    "fipgen.decays.lineshape": [
        "BW_RADIUS", "N_GRID", "LINE_SHAPE_CODES", "LineShape", "line_shape", "has_line_shape", "running_width",
        "bw_density", "mass_density", "sample_line_shape", "sample_pair_line_shapes", "two_body_isotropic_masses"
    ],
    "fipgen.decays.particles": [
        "NAMES", "NEUTRINOS", "RESONANCE_FAMILIES", "parse_channel", "charge_of", "conjugate", "sm_mass",
        "sm_decay_table"
    ],
    "fipgen.decays.resonances": [
        "NAMES", "NEUTRINOS", "RESONANCE_FAMILIES", "parse_channel", "charge_of", "conjugate", "sm_mass",
        "sm_decay_table", "vector_3pi_density", "decay_resonances", "max_multiplicity"
    ],
    "fipgen.decays.sampler": [
        "DecayProducts", "DEFAULT_RESONANCES", "sample_decays", "three_body_density", "polarised_asymmetry",
        "two_body_along_axis", "two_body_along_axis_numpy", "sample_cos_linear"
    ],
    "fipgen.decays.threebody": [
        "dalitz_bounds", "in_dalitz", "s23_range", "dalitz_fmax", "sample_dalitz", "three_body_momenta",
        "three_body_momenta_numpy", "phase_space_integral", "flat_nbody"
    ],
    "fipgen.decays.vector_3pi": [
        "M_PI_PM", "M_PI_0", "M_RHO", "G_RHO", "M_OMEGA", "G_OMEGA", "BR_OMEGA_3PI", "G_OMEGA_RHO_PI", "g_rho_pipi",
        "rho_propagator", "cross2", "shape", "shape_integral", "amplitude2", "dgamma", "omega_3pi_width",
        "effective_coupling2", "zprime_3pi_dgamma"
    ],
    "fipgen.errors": [
        "FipgenError", "CardError", "GeometryError", "PhysicsError", "OutputError", "ClosedError", "RunFailure",
        "InputFileError", "NoSourcesError", "NumericError"
    ],
    "fipgen.columns": ["ChunkColumns", "put_rows", "flatten_padded_numpy"],
    "fipgen.sampling": ["DiscreteChoice", "guide_table", "count_le_from"],
    "fipgen.events": ["SCALARS", "ALT_WEIGHT_PREFIX", "COLLECTIONS", "EventBatch", "VECTOR_FIELDS", "events_view",
                      "RECORD_SINCE", "with_record_defaults"],
    "fipgen.generation": [
        "generate_block", "n_blocks", "iter_blocks", "blocks_of", "blocks_per_chunk", "iter_chunk_plan", "chunks_of",
        "iter_chunks"
    ],
    "fipgen.geometry.nuclei": ["collision_shares", "nucleus_at", "nucleus_at_numpy", "solid_at", "solid_at_numpy"],
    "fipgen.geometry.points": ["primitive_points", "draws_three_uniforms", "primitives_contain", "first_container"],
    "fipgen.geometry": [
        "PROTON_MASS", "Beamline", "Box", "CompiledSolid", "Cylinder", "Detector", "Element", "InvalidGeometry",
        "Material", "Placement", "Segments", "Shape", "Solid", "Sphere", "Timing", "Volume", "get_material",
        "list_geometries", "load_beamline", "load_detector", "material_names", "materials", "rotation_matrix"
    ],
    "fipgen.geometry.chords": [
        "BOX", "CYLINDER", "SPHERE", "MERGE_GAP", "primitive_intervals", "primitive_intervals_numpy", "merge_intervals",
        "merge_intervals_numpy", "cube_sum", "cube_sum_numpy", "solid_segments", "solid_cube_sum",
        "solid_segments_and_cube_sum"
    ],
    "fipgen.geometry.culling": [],
    "fipgen.geometry.primitive_chords": [
        "BOX", "CYLINDER", "SPHERE", "MERGE_GAP", "primitive_intervals", "primitive_intervals_numpy", "merge_intervals",
        "merge_intervals_numpy", "cube_sum", "cube_sum_numpy"
    ],
    "fipgen.geometry.frames": ["InvalidGeometry", "Placement", "rotation_matrix"],
    "fipgen.geometry.loader": [
        "PROTON_MASS", "Beamline", "Detector", "Element", "Timing", "list_geometries", "load_beamline", "load_detector"
    ],
    "fipgen.geometry.materials": ["AVOGADRO", "Ionisation", "Material", "get_material", "material_names", "materials"],
    "fipgen.geometry.overlaps": [
        "first_overlap", "check_detector_volumes", "check_detector_on_beamline", "GRID", "TOUCH"
    ],
    "fipgen.geometry.plot": ["plot_setup"],
    "fipgen.geometry.shapes": [
        "aabb", "Box", "CompiledSolid", "Cylinder", "Segments", "Shape", "Solid", "Sphere", "Volume"
    ],
    "fipgen.geometry.stopping": [
        "K_BETHE", "PLASMA_ENERGY_COEFF", "bethe_dedx", "density_effect", "density_effect_numpy",
        "density_ratio", "mean_excitation_energy", "plasma_energy", "sternheimer_peierls", "StoppingTable",
        "stopping_table"
    ],
    "fipgen.io": ["read_events"],
    "fipgen.io.atomic": [
        "AtomicFile", "atomic_path", "check_target", "close_all", "output_error", "probe_write_error", "PLOT_FORMATS",
        "plot_format", "save_figure"
    ],
    "fipgen.io.graph": ["BEAM", "TARGET", "GRANDPARENT", "PARENT", "SIBLING1", "LLP", "SIBLING0", "DAUGHTER",
                        "ROLE_NAMES", "Graphs", "batch_graphs"],
    "fipgen.io.hepevt": ["HepEvtWriter", "SIBLING_STATUS", "read_hepevt", "sidecar_path"],
    "fipgen.io.hepmc": ["HepMCWriter", "CONVENTIONS", "PARTICLE_STATUS", "VERTEX_STATUS", "sigma_reference_pb"],
    "fipgen.io.merge": ["physics_of", "merge_files"],
    "fipgen.io.parent_list": ["HEADER_LINES", "ParentList", "read_mevprtl_text", "write_mevprtl_text"],
    "fipgen.io.parent_list_nm": [
        "PI0_MASS", "POT_PER_LINE", "NM_HEADER_LINES", "NM_COLUMNS", "NeutralMesonList", "read_mevprtl_nm_text",
        "write_mevprtl_nm_text"
    ],
    "fipgen.io.read": ["read_events"],
    "fipgen.io.root": ["compression_from_spec", "batch_to_branches", "read_run", "RootWriter"],
    "fipgen.io.rootfile": ["reading_root"],
    "fipgen.job": ["decay_codes", "Job", "build_model", "build_job", "scan_shares"],
    "fipgen.kinematics": [
        "boost", "boost_numpy", "boost_to_rest", "boost_from_rest", "invariant_mass", "invariant_mass_numpy",
        "two_body_momentum", "two_body_isotropic", "two_body_isotropic_numpy", "two_body_toward",
        "two_body_toward_numpy", "window_decay_probability", "decay_probability", "decay_probability_numpy",
        "survival_and_decay", "sample_decay_distance", "sample_decay_distance_numpy"
    ],
    "fipgen.kinematics.boost": [
        "boost", "boost_numpy", "boost_to_rest", "boost_from_rest", "invariant_mass", "invariant_mass_numpy"
    ],
    "fipgen.kinematics.decay_position": [
        "window_decay_probability", "decay_probability", "decay_probability_numpy", "survival_and_decay",
        "sample_decay_distance", "sample_decay_distance_numpy", "decay_probability_and_distance"
    ],
    "fipgen.kinematics.directions": ["about_axis", "about_axis_cs", "about_axis_array", "unit_toward", "unit_toward_numpy"],
    "fipgen.kinematics.twobody": [
        "two_body_momentum", "two_body_isotropic", "two_body_isotropic_numpy", "two_body_toward",
        "two_body_toward_numpy"
    ],
    "fipgen.models": ["DarkPhoton"],
    "fipgen.models.alp": [
        "ALP", "F_PI", "photon_width", "fermion_width", "hnl_pair_width", "theta_api", "theta_aeta", "M_U_OVER_M_D",
        "EPS_UD", "C_GAMMA_CHIRAL", "GLUON_MASS_MAX", "MAX_PI0_MIXING", "gluon_photon_coupling", "g_00", "g_pm",
        "three_pion_width", "three_pion_width_isospin", "three_pion_amplitude_sq", "CHIRAL_TREATMENTS", "ASW_DELTA_I",
        "ASW_K_FACTOR", "gluon_meson_mixing"
    ],
    "fipgen.models.atomic_shells": [
        "shell_occupancy", "slater_zeff", "shell_momenta", "profile_pdf", "profile_cdf", "sample_profile",
        "material_profile"
    ],
    "fipgen.models.alp_xsec": [
        "M_E", "M_P", "MU_P", "GEV2_TO_CM2", "GEV2_TO_M2", "to_cm2", "to_m2", "per_length", "screening_b", "nuclear_d",
        "tsai_form_factor", "tsai_form_factor_np", "primakoff_t_range", "primakoff_dsigma_dtheta",
        "primakoff_dsigma_dtheta_np", "primakoff_dsigma_dt", "primakoff_sigma", "inverse_primakoff_dsigma_dtheta",
        "inverse_primakoff_sigma", "compton_m2c", "compton_amp2", "compton_threshold", "compton_ea_range",
        "compton_dsigma_dea", "compton_dsigma_dea_np", "compton_sigma", "compton_cos_theta", "inverse_compton_amp2",
        "inverse_compton_egamma_range", "inverse_compton_dsigma_degamma", "inverse_compton_sigma",
        "inverse_compton_kinematics", "resonant_energy", "pair_beta", "breit_wigner_ee", "resonant_sigma_coefficient", "resonant_sigma_bw",
        "resonant_yield_per_track_length", "associated_amp2", "associated_threshold", "associated_dsigma_dcos",
        "associated_sigma", "associated_lab", "brems_chi", "brems_d2sigma_dx_dl", "brems_dsigma_dx",
        "brems_dsigma_dx_screened", "brems_x_range", "brems_sigma", "material_targets", "primakoff_per_length",
        "inverse_primakoff_per_length", "compton_per_length", "inverse_compton_per_length",
        "SCREENING_R0_ALPLIB_M", "PRIMAKOFF_XSEC_VARIANTS", "INVERSE_PRIMAKOFF_XSEC_VARIANTS", "RESONANT_XSEC_VARIANTS",
        "variant_code", "primakoff_sigma_massless", "primakoff_sigma_variant", "inverse_primakoff_sigma_alplib",
        "inverse_primakoff_sigma_variant", "resonant_sigma_coefficient_alplib"
    ],
    "fipgen.models.base": ["Channel", "DecayingParticle"],
    "fipgen.models.hnl": ["HNL", "JOIN_LOW", "JOIN_HIGH", "MASS_MAX"],
    "fipgen.models.hnl_production": [
        "width_meson_to_lepton_hnl", "br_meson_to_lepton_hnl", "sm_width_meson_to_lepton_nu", "width_tau_to_hnl",
        "br_tau_to_hnl", "TAU_CHANNELS", "width_kaon_to_pi_lepton_hnl", "br_kaon_to_pi_lepton_hnl"
    ],
    "fipgen.models.hnl_widths": [
        "hnl_constants", "kallen", "nc_log", "nc_f1", "nc_f2", "nc_couplings", "cc_integral",
        "width_lepton_pseudoscalar", "width_nu_pseudoscalar", "width_lepton_vector", "width_nu_vector",
        "width_three_nu", "width_cc_leptons", "width_nc_leptons", "width_cc_quarks", "width_nc_quarks", "alpha_s",
        "qcd_correction", "width_dipole"
    ],
    "fipgen.models.params": [
        "Param", "REQUIRED", "MODEL_PARAMS", "ZPRIME_KINDS", "ALP_CHIRAL", "ALP_PRIMAKOFF_XSEC", "ALP_PRIMAKOFF_ANGLE",
        "ALP_INVERSE_PRIMAKOFF_XSEC", "ALP_RESONANT_XSEC", "coupling_keys"
    ],
    "fipgen.models.registry": ["MODEL_PARTICLES", "model_class", "make_model"],
    "fipgen.models.zprime": [
        "ZPrime", "DarkPhoton", "LEGACY_NAMES", "KINDS", "FERMIONS", "M_JOIN", "M_MAX", "lepton_pair_width",
        "vector_width", "hnl_pair_width", "vmd_table", "family_coefficients", "alpha_s"
    ],
    "fipgen.models.zprime_xsec": [
        "M_E", "GEV2_TO_M2", "electron_coupling", "resonant_energy", "resonant_sigma_coefficient",
        "resonant_sigma_bw", "resonant_yield_per_track_length", "annihilation_m2", "associated_dsigma_dcos",
        "associated_sigma", "associated_sigma_cut", "compton_m2", "compton_dsigma_dt", "compton_t_range",
        "compton_sigma", "brems_d2sigma_dx_dl"
    ],
    "fipgen.output": ["UNITS", "metadata", "Summary", "FORMATS", "output_paths", "run", "summary_text", "summary_json"],
    "fipgen.parallel": ["map_tasks", "shutdown_pools"],
    "fipgen.pipeline": [
        "decay_codes", "UNITS", "Job", "build_model", "build_job", "generate_block", "n_blocks", "iter_blocks",
        "blocks_of", "blocks_per_chunk", "iter_chunk_plan", "chunks_of", "iter_chunks", "metadata", "Summary",
        "FORMATS", "output_paths", "MAX_WEIGHT_ABOVE", "UNWEIGHT_OVERSAMPLE", "Unweighting", "UNWEIGHT_STREAM",
        "max_unweighted", "run", "summary_text", "summary_json"
    ],
    "fipgen.production": [
        "br_to_gamma_darkphoton", "sm_branching_ratio", "sanford_wang", "sanford_wang_pi0_per_pot", "MesonSource",
        "bnb_meson_source", "BNB_PI0_PER_POT", "BNB_ETA_PER_PI0"
    ],
    "fipgen.production.aiming": [
        "DEFAULT_ALPHA", "AimedDecays", "aim_decays", "aim_kernels", "aim_kernels_numpy", "lab_density",
        "two_body_pstar"
    ],
    "fipgen.production.channels": [],
    "fipgen.production.channels.alp_brems": ["THETA_MAX", "BremsKernel"],
    "fipgen.production.channels.alp_scatter": [
        "ScatterSpec", "scatter_spec", "interaction_rates", "chord_exposure", "sample_scatter", "PROCESS_NAMES"
    ],
    "fipgen.production.channels.alp_shower": [
        "SHOWER_CHANNELS", "ShowerALPChannel", "ShowerALPMixture", "shower_channel", "shower_parts", "ASSOCIATED_K_MIN"
    ],
    "fipgen.production.channels.zprime_shower": ["ZPRIME_SHOWER_CHANNELS", "ShowerZPrimeChannel", "zprime_shower_channel"],
    "fipgen.production.channels.alp_xsec_sampling": [
        "sample_primakoff_theta", "sample_primakoff_theta_array", "sample_inverse_primakoff_theta", "sample_compton_ea",
        "sample_inverse_compton_egamma", "sample_associated_cos"
    ],
    "fipgen.production.channels.brems_channel": ["BremsSettings", "BremsChannel", "brems_channels", "ALT_VARIANTS"],
    "fipgen.production.channels.brems_proposal": [
        "CHUNK", "floor_mix", "aimed_table_numpy", "aimed_draw_numpy", "aimed_draw", "bin_index", "bin_index_numpy"
    ],
    "fipgen.production.channels.bremsstrahlung": [
        "TREATMENTS", "DEFAULT_TREATMENT", "DEFAULT_LAMBDA_P", "DEFAULT_Z_RANGE", "DEFAULT_PT_MAX", "sigma_pp",
        "nucleon_form_factor", "family_form_factors", "splitting_bb", "splitting_qr", "offshell_form_factor",
        "LAMBDA_P_BAND", "M_P"
    ],
    "fipgen.production.channels.builders": [
        "hnl_decays", "meson_decay", "meson_mixing", "proton_bremsstrahlung", "shower"
    ],
    "fipgen.production.channels.cascade": ["boson_decays", "HNLFromBosonChannel"],
    "fipgen.production.channels.hnl_channels": [
        "ParentSource", "HNLMesonTwoBodyChannel", "HNLKaonThreeBodyChannel", "HNLTauChannel", "br_ds_to_tau_nu"
    ],
    "fipgen.production.channels.hnl_kinematics": [
        "helicity_axis", "helicity_axis_numpy", "hnl_helicity_two_body", "fermion_meson_asymmetry", "TAU_LEPTONIC",
        "tau_leptonic_spectrum", "tau_leptonic_dgamma", "sample_tau_leptonic_energy", "kl3_msq", "kl3_dgamma_dE",
        "kl3_energy_range", "sample_kl3_energy", "TauFromDs", "taus_from_ds"
    ],
    "fipgen.production.channels.hnl_sources": ["HNL_PARENTS", "hnl_channels", "parents_callable"],
    "fipgen.production.channels.meson_mixing": ["MAX_MIXING", "alp_meson_mixing", "MesonMixingChannel"],
    "fipgen.production.channels.meson_two_body": ["MesonTwoBodyChannel", "meson_decay_toward"],
    "fipgen.production.channels.sample": ["ProductionChannel", "ProductionSample", "recoil", "siblings"],
    "fipgen.production.parents": ["ParentDecays"],
    "fipgen.production.sources": [],
    "fipgen.production.sources.bmpt": [
        "BMPTParams", "BMPT_PIONS", "BMPT_KAONS", "A_BERYLLIUM", "x_radial", "x_feynman", "invariant_cross_section_be",
        "barton_alpha", "P_T_ALPHA_MAX", "d2sigma_dp_domega", "bin_integrals"
    ],
    "fipgen.production.sources.cascade_sources": [
        "ProductionPoints", "ShowerSolid", "cascade_meson_source", "cascade_species", "cascade_parents",
        "cascade_shower_solids", "combine_sources", "cascade_charm_source", "first_collisions",
        "CASCADE_PARENTS", "CHARM", "CHARM_MOMENTUM"
    ],
    "fipgen.production.sources.charged_mesons": [
        "FeynmanScalingParams", "FS_K_PLUS", "K_PLUS_RECOIL_MASS", "BNB_CHARGED_PDGS", "feynman_x",
        "kplus_feynman_scaling", "kplus_p_max", "bnb_density", "bnb_interacting_fraction",
        "bnb_production_cross_section", "bnb_charged_source"
    ],
    "fipgen.production.sources.external": [
        "source_from_parents", "read_dk2nu", "parent_files", "ExternalParents", "PARENT_FORMATS", "FilePoints",
        "source_with_points"
    ],
    "fipgen.production.sources.meson_decay": [
        "br_to_gamma_darkphoton", "br_to_gamma_zprime", "br_omega_to_pi0_zprime", "omega_pi0_form_factor_sq",
        "OMEGA_LAMBDA_INV2", "anomaly_factor", "sm_branching_ratio", "SUPPORTED_MESONS"
    ],
    "fipgen.production.sources.meson_spectra": [
        "bnb_interacting_fraction", "SanfordWangParams", "SW_PI_PLUS", "SW_PI_MINUS", "SW_K0L", "BNB_P_BEAM",
        "BNB_PI0_PER_POT", "BNB_ETA_PER_PI0", "sanford_wang", "pbe_inelastic_cross_section", "sanford_wang_pi0_per_pot",
        "bnb_pi0_density", "bnb_eta_density", "MesonSource", "tabulate_source", "bnb_meson_source"
    ],
    "fipgen.production.sources.meson_tables": [
        "MODELS", "DUMP_PI0_PER_POT", "DUMP_ETA_PER_PI0", "available_beamlines", "table_entries", "available_sources",
        "load_meson_source", "bnb_dump_meson_source", "read_table", "tertiary_estimate"
    ],
    "fipgen.production.sources.parent_list_sources": [
        "parent_species", "write_parent_list", "FILE_POT", "nm_parent_source", "write_nm_parent_list"
    ],
    "fipgen.production.sources.resolve": [
        "MESON_SETS", "CASCADE_SPECIES", "meson_source", "meson_species", "shower_table_name", "check_sources",
        "cascade_tables", "beam_shower_tables", "cascade_parent_decays", "uses_cascade", "with_cascade_sources",
        "shower_solids",
        "cascade_ready", "MEASURED", "first_interaction_view", "VARIANTS", "sources_variant",
        "production_source", "measured_species"
    ],
    "fipgen.production.sources.shower_seeding": ["meson_photons", "make_shower_table"],
    "fipgen.production.sources.vertex": [
        "sample_interaction_points", "source_points", "source_parts", "source_sample", "interacting_fraction",
        "ray_toward_detector"
    ],
    "fipgen.production.transport": [],
    "fipgen.production.transport.kernel": [],
    "fipgen.production.transport.meson_transport": [
        "FATES", "REGIONS", "StoppingTable", "stopping_table", "mean_excitation_energy", "interaction_length",
        "bethe_dedx", "MesonFates", "meson_fates", "fate_summary", "sample_parent_decays"
    ],
    "fipgen.production.transport.ranges": ["StoppingTable", "stopping_table", "interaction_length"],
    "fipgen.progress": ["progress_bar"],
    "fipgen.registry": [
        "ALIASES", "COUPLING_KEYS", "NN_SUFFIX", "PARTICLES", "TAU_DECAYS", "BuildContext", "ChannelError", "ChannelSpec",
        "all_codes", "canonical_name", "channel_code", "channel_names", "production_channels", "production_power", "spec", "spec_of",
        "specs", "register", "boson_entry"
    ],
    "fipgen.resources": ["data_dir", "data_file", "list_data", "read_flux_table"],
    "fipgen.rng": ["BLOCK_SIZE", "block_rng", "block_sizes"],
    "fipgen.scan": ["ScanAxes", "card_at", "Cuts", "ScanTable", "collect_table", "expected_events", "reweight_file"],
    "fipgen.scan.axes": ["ScanAxes", "default_coupling_key", "card_at", "COUPLING_KEYS"],
    "fipgen.scan.fastexp": ["X_MAX", "exp_neg", "one_minus_exp_neg"],
    "fipgen.fastexp": ["X_MAX", "exp_neg", "one_minus_exp_neg", "window_factor", "window_factors"],
    "fipgen.fasttrig": ["cos_sin_turn", "cos_sin_turns"],
    "fipgen.scan.kernels": ["weighted_decay_sums", "weighted_decay_sums_numpy", "decay_probabilities", "cut_passes"],
    "fipgen.scan.limits": ["LIMITS", "event_threshold"],
    "fipgen.scan.plot": [
        "SYMBOLS", "ZPRIME_SYMBOLS", "LINEAR_BELOW", "Overlay", "parse_overlay", "read_overlay", "mass_label",
        "coupling_label", "limit_text", "legend_title", "scan_title", "number_label", "scan_figure", "plot_scan"
    ],
    "fipgen.scan.reweight": ["Cuts", "Precision", "ScanTable", "collect_table", "expected_events", "reweight_file"],
    "fipgen.scan.run": [
        "ScanSpec", "ScanResult", "run_scan", "run_acceptance", "parse_grid", "contour_lines", "check_scan",
        "write_scan_csv", "write_contour_csv", "write_scan_root", "write_acceptance", "FipgenError"
    ],
    "fipgen.shower": [
        "SPECIES", "Binning", "ShowerMedium", "ShowerResult", "ShowerSettings", "ShowerTable", "load_shower_table",
        "run_showers", "shower_materials", "shower_medium", "shower_table_beamlines", "simulate_single"
    ],
    "fipgen.shower.annihilation": ["heitler_total", "heitler_dsde", "sample_annihilation_eps"],
    "fipgen.shower.bremsstrahlung": [
        "COULOMB_THRESHOLD", "brems_dsdk", "brems_dsdk_np", "brems_envelope", "sample_brems_k", "sample_urban_u",
        "brems_total_above", "brems_loss_below", "complete_screening_total_above"
    ],
    "fipgen.shower.compton": [
        "klein_nishina_total", "klein_nishina_total_np", "klein_nishina_dsde", "sample_compton_eps"
    ],
    "fipgen.shower.constants": ["ALPHA", "AVOGADRO", "M_E", "R_E", "GEV_PER_MEV", "BARN_M2", "HIGHLAND_E_S"],
    "fipgen.shower.fold": [
        "SOURCES", "SPECIES_KEYS", "TABLE_VERSION", "ShowerTable", "write_shower_table", "load_shower_table",
        "shower_table_beamlines", "table_name", "load_shower_file"
    ],
    "fipgen.shower.geometry": [
        "INFINITE", "BOX", "CYLINDER", "infinite", "box", "cylinder", "from_solid", "inside", "distance_to_exit"
    ],
    "fipgen.shower.ionisation": [
        "restricted_dedx", "moller_total", "bhabha_total", "moller_dsde", "bhabha_dsde", "sample_moller",
        "sample_bhabha"
    ],
    "fipgen.shower.media": ["ShowerElement", "ShowerMedium", "shower_materials", "shower_medium"],
    "fipgen.shower.pair": [
        "URBAN_JOIN", "pair_dsdx", "pair_dsdx_np", "sample_pair_x", "pair_total_tsai", "pair_total_urban", "pair_total",
        "complete_screening_pair_total"
    ],
    "fipgen.shower.rossi": [
        "APPROX_A", "approximation_a", "approximation_a_integral", "approximation_b_total_charged", "pdg_t_max"
    ],
    "fipgen.shower.sampling": ["PROCESSES", "draw", "draw_in_medium"],
    "fipgen.shower.screening": [
        "PHI1_0", "PSI1_0", "coulomb_correction", "radiation_logarithms", "tsai_radiation_length", "phi1", "psi1",
        "dphi", "dpsi", "phi1_np", "psi1_np", "dphi_np", "dpsi_np"
    ],
    "fipgen.shower.tables": [
        "PhysicsTables", "physics_tables", "PAIR", "COMPTON", "BREM", "MOLLER", "BHABHA", "ANNIH", "DEDX_E", "DEDX_P",
        "RANGE_E", "RANGE_P", "ELEMENT_ROWS", "GRID_LO", "GRID_HI", "MIN_CUT"
    ],
    "fipgen.shower.tracklength": [
        "SPECIES", "ShowerSettings", "Binning", "ShowerResult", "run_showers", "simulate_single", "budget_energy"
    ],
    "fipgen.shower.transport": [
        "cascade", "pick_element", "sample_pair_in_medium", "sample_brems_in_medium", "PAR_X0", "PAR_CUT_E",
        "PAR_CUT_G", "PAR_F_LOSS", "PAR_THETA_MAX", "PAR_MSC", "N_PAR", "STACK"
    ],
    "fipgen.transport": ["Transported", "transport", "transport_numpy"],
    "fipgen.unweighting": [
        "MAX_WEIGHT_ABOVE", "UNWEIGHT_OVERSAMPLE", "Unweighting", "max_unweighted", "plan_unweighting"
    ],
    "fipgen.widths": ["report", "report_text", "scan", "plot_scan", "default_mass_grid", "finite"],
    "fipgen.yields": ["mesons_per_pot", "compute_yields", "yields_json", "yields_text"]
}


def public_modules() -> list[str]:
    root = Path(fipgen.__file__).parent
    names = []
    for p in sorted(root.rglob("*.py")):
        rel = p.relative_to(root)
        if any(part.startswith("_") and part != "__init__.py" for part in rel.parts):
            continue
        parts = list(rel.with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        names.append(".".join(["fipgen", *parts]))
    return names


def test_every_public_module_is_pinned():
    assert sorted(public_modules()) == sorted(PUBLIC_API)


@pytest.mark.parametrize("name", public_modules())
def test_module_all(name):
    module = importlib.import_module(name)
    assert hasattr(module, "__all__"), f"{name} has no __all__"
    missing = [n for n in module.__all__ if not hasattr(module, n)]
    assert not missing, f"{name}.__all__ names what it lacks: {missing}"
    assert len(set(module.__all__)) == len(module.__all__), f"{name}.__all__ repeats a name"
    assert list(module.__all__) == PUBLIC_API.get(name), f"{name}.__all__ changed"
