"""What the hadron cascade records: one structured array of entries, and the energy ledger.

Every entry is one particle at one point of the cascade (beam frame, m, ns, GeV):

* ``PRODUCED``: a meson, charm hadron or tau made in a collision or a decay (pi0, eta, eta',
  omega, rho0, phi, pi+-, K+-, K0L, K0S, D, Ds, tau): where and with what momentum it was
  made. Short-lived ones (c tau0 < 10 mm) decay there; the others are transported and also
  appear below.
* ``DECAY_IN_FLIGHT``: a pi+-, K+-, K0L or mu+- decaying in flight (the point and momentum
  at its decay).
* ``DECAY_AT_REST``: a pi+, K+ or mu+ that stopped by ionisation and decayed at rest.
* ``CAPTURED``: a pi-, K- or mu- that stopped and was captured by a nucleus.
* ``EM_SEED``: a photon, electron or positron that starts an electromagnetic shower (from
  pi0 and eta decays, from other decays, from collisions), all generations, all solids.
* ``COLLISION``: a hadron-nucleus collision (the projectile and its momentum before it),
  for the charm scaling.

``generation`` is 1 for what the beam particle's first collision made (with the decay
products of its short-lived hadrons), 2 for everything later; ``region`` is the index of
the solid (:class:`~fipgen.cascade.world.World`) or -1 for vacuum.
"""

from __future__ import annotations

import numpy as np

__all__ = ["KINDS", "PRODUCED", "DECAY_IN_FLIGHT", "DECAY_AT_REST", "CAPTURED", "EM_SEED", "COLLISION",
           "RECORD_DTYPE", "LEDGER_TERMS"]

PRODUCED, DECAY_IN_FLIGHT, DECAY_AT_REST, CAPTURED, EM_SEED, COLLISION = 0, 1, 2, 3, 4, 5
KINDS = {PRODUCED: "produced", DECAY_IN_FLIGHT: "decay_in_flight", DECAY_AT_REST: "decay_at_rest",
         CAPTURED: "captured", EM_SEED: "em_seed", COLLISION: "collision"}

RECORD_DTYPE = np.dtype([
    ("pot", np.int64), ("kind", np.int8), ("pdg", np.int32), ("region", np.int16), ("generation", np.int8),
    ("x", np.float64), ("y", np.float64), ("z", np.float64), ("t", np.float64),
    ("px", np.float64), ("py", np.float64), ("pz", np.float64), ("e", np.float64),
])

#: Terms of the energy ledger (GeV, summed over the POT simulated). In: the beam particle's
#: total energy and the rest energy of the target nucleons struck in collisions. Out: the
#: other terms. ``imbalance`` is Pythia's own energy non-conservation in collisions and decays.
LEDGER_TERMS = {
    "beam": "total energy of the beam particles (in)",
    "struck_nucleons": "rest energy of the target nucleons struck in collisions (in)",
    "em_seeds": "photons, electrons and positrons handed to the electromagnetic cascade (total energy)",
    "neutrinos": "neutrinos (leave unseen)",
    "escaping": "particles leaving the solids for good (total energy)",
    "ionisation": "continuous ionisation loss of charged particles",
    "below_cut": "neutral hadrons below the interaction threshold (total energy; their kinetic energy "
                 "goes to low-energy nuclear processes not simulated)",
    "stopped_rest_mass": "rest energy of protons and other stable charged particles that stopped",
    "captured": "rest energy of pi-, K-, mu- and negative hyperons captured by nuclei",
    "nuclear": "energy left in struck nuclei by the intranuclear cascade (nucleons below the well: total "
               "energy; the well depth paid by nucleons leaving)",
    "imbalance": "energy Pythia did not conserve in collisions and decays (out - in)",
}
