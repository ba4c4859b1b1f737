"""Channel builders of the registry (:mod:`fipgen.registry`): a run-card channel -> its open
sub-channels.

Each builder takes a :class:`fipgen.registry.BuildContext` and returns ``(channels, closed,
reasons)``: the open sub-channels (:class:`~fipgen.production.channels.sample.ProductionChannel`),
the names of the closed ones, and why some are closed (name -> text; empty when the mass
alone closes them). Physics errors become :class:`~fipgen.errors.CardError` naming the run-card
key that caused them. A boson channel closed at the mass is ``([], [name], {})``.
"""

from __future__ import annotations

from ...errors import CardError, NoSourcesError, PhysicsError

__all__ = ["hnl_decays", "meson_decay", "meson_mixing", "proton_bremsstrahlung", "shower"]

#: Meson of each meson channel (``zprime:<what>`` P -> gamma Z', ``alp:<what>`` mixing).
MESON_PDG = {"pi0": 111, "eta": 221, "omega": 223}


def _key_error(ctx, key: str, value, msg: str) -> CardError:
    return CardError(f"{ctx.card.source}: key {key} = {value!r}: {msg}")


def _no_sources(ctx, err) -> CardError:
    return _key_error(ctx, "experiment.beamline", ctx.beamline.name,
                      f"{err}; the meson channels of signal.produce need meson sources: give the beamline's "
                      "mesons as an external parent list, experiment.parents (MeVPrtl text or dk2nu)")


def _meson_source(ctx, pdg: int):
    """The meson source of species ``pdg``: the external parent list's, else the packaged table."""
    from ..sources.resolve import meson_source

    try:
        if ctx.external is not None:
            return ctx.external.meson_source(pdg)
        return meson_source(ctx.beamline, pdg)
    except NoSourcesError as err:
        raise _no_sources(ctx, err) from None
    except PhysicsError as err:
        raise _key_error(ctx, "signal.produce", ctx.name, str(err)) from None


def meson_decay(ctx):
    """``zprime:pi0``, ``zprime:eta`` (P -> gamma Z'), ``zprime:omega`` (omega -> pi0 Z', isovector
    charges only): :class:`~fipgen.production.channels.meson_two_body.MesonTwoBodyChannel`."""
    from ...constants import mass as pdg_mass
    from ..sources.meson_decay import br_omega_to_pi0_zprime, br_to_gamma_zprime
    from .meson_two_body import MesonTwoBodyChannel

    model, name = ctx.model, ctx.name
    pdg = MESON_PDG[name.partition(":")[2]]
    if pdg == 223:
        if model.mass >= pdg_mass(223) - pdg_mass(111) or br_omega_to_pi0_zprime(model) == 0.0:
            return [], [name], {}  # closed, or isoscalar charges (B-L, B): no omega -> pi0 Z'
        return [MesonTwoBodyChannel(name, _meson_source(ctx, 223), br_omega_to_pi0_zprime(model), model.mass,
                                    other_mass=pdg_mass(111))], [], {}
    if model.mass >= pdg_mass(pdg):
        return [], [name], {}
    return [MesonTwoBodyChannel(name, _meson_source(ctx, pdg), br_to_gamma_zprime(pdg, model), model.mass)], [], {}


def meson_mixing(ctx):
    """``alp:pi0``, ``alp:eta``: ALP-meson mixing (needs the gluon coupling c_gg and f_a),
    :class:`~fipgen.production.channels.meson_mixing.MesonMixingChannel`."""
    from .meson_mixing import MesonMixingChannel, alp_meson_mixing

    model, name = ctx.model, ctx.name
    what = name.partition(":")[2]
    spec = ctx.card.alp
    if spec.f_a is None or spec.c_gg == 0.0:
        raise _key_error(ctx, "model.alp.c_gg", spec.c_gg,
                         f"channel {name!r} (ALP-{what} mixing) needs the gluon coupling: c_gg != 0 and f_a")
    try:
        theta = alp_meson_mixing(model, MESON_PDG[what])
    except PhysicsError as err:
        raise _key_error(ctx, "model.alp.mass", model.mass, str(err)) from None
    return [MesonMixingChannel(name, _meson_source(ctx, MESON_PDG[what]), theta * theta, model.mass)], [], {}


def proton_bremsstrahlung(ctx):
    """``zprime:bremsstrahlung``: one :class:`~fipgen.production.channels.brems_channel.BremsChannel` per
    element the beam reaches (target, absorber) with a non-zero rate."""
    from .brems_channel import BremsSettings, brems_channels

    card = ctx.card
    try:
        settings = BremsSettings(**{k: (tuple(v) if isinstance(v, list) else v) for k, v in card.bremsstrahlung})
        # the Z''s own decay shapes the aimed proposal when it is the detected particle
        chans = brems_channels(ctx.model, ctx.beamline, settings, decay_ctau=ctx.decay_ctau)
    except PhysicsError as err:
        raise _key_error(ctx, "signal.bremsstrahlung", dict(card.bremsstrahlung), str(err)) from None
    chans = [c for c in chans if c.rate_per_pot > 0.0]
    return chans, ([] if chans else [ctx.name]), {}


def shower(ctx):
    """``alp:primakoff``, ``compton``, ``resonant``, ``associated``, ``bremsstrahlung``: ALPs from
    the dump's shower, :class:`~fipgen.production.channels.alp_shower.ShowerALPChannel`."""
    from .alp_shower import shower_channel

    try:
        ch = shower_channel(ctx.name.partition(":")[2], ctx.model, ctx.beamline, decay_ctau=ctx.decay_ctau)
        rate = ch.rate_per_pot
    except PhysicsError as err:
        raise _key_error(ctx, "signal.produce", ctx.name, str(err)) from None
    return ([ch], [], {}) if rate > 0.0 else ([], [ctx.name], {})


def zprime_shower(ctx):
    """``zprime:resonant``, ``associated``, ``compton``: Z's from the positrons and photons of the
    dump's showers, :class:`~fipgen.production.channels.zprime_shower.ShowerZPrimeChannel`."""
    from .zprime_shower import zprime_shower_channel

    if ctx.card.detect[0] != "zprime":
        raise _key_error(ctx, "signal.produce", ctx.name, "Z's from showers feed only the Z' detection "
                         "(signal.detect = 'zprime:decay'), not Z' -> N N")
    try:
        ch = zprime_shower_channel(ctx.name.partition(":")[2], ctx.model, ctx.beamline, decay_ctau=ctx.decay_ctau)
        rate = ch.rate_per_pot
    except PhysicsError as err:
        raise _key_error(ctx, "signal.produce", ctx.name, str(err)) from None
    return ([ch], [], {}) if rate > 0.0 else ([], [ctx.name], {})


def hnl_decays(ctx):
    """``hnl:<parent>``: every open decay of the parent into an HNL with a non-zero mixing
    (:func:`fipgen.production.channels.hnl_sources.hnl_channels`)."""
    from .hnl_sources import hnl_channels

    try:
        sub, shut = hnl_channels(ctx.name.partition(":")[2], ctx.model, ctx.beamline, ctx.external)
    except NoSourcesError as err:
        raise _no_sources(ctx, err) from None
    except PhysicsError as err:
        raise _key_error(ctx, "signal.produce", ctx.name, str(err)) from None
    return sub, shut, {}
