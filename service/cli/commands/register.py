"""``puheturva register``: print the register description in the privacy notice's own structure."""

from __future__ import annotations

import typer
from rich.console import Console, Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from service.platform.config import get_settings
from service.privacy.register import Register, RegisterError, load_register
from service.privacy.retention import RetentionConfig, RetentionConfigError, load_retention

app = typer.Typer(help="The register description (rekisteriseloste).", no_args_is_help=True)


def _load() -> tuple[Register, RetentionConfig]:
    s = get_settings()
    try:
        register = load_register(s.register_file)
        return register, load_retention(s.retention_config, register)
    except (RegisterError, RetentionConfigError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None


def _section(number: int, title: str, body: RenderableType) -> Panel:
    return Panel(body, title=f"§{number} {title}", title_align="left", expand=True)


def render(register: Register, retention: RetentionConfig) -> list[Panel]:
    """The notice as rich panels, one per section, numbered as in a Finnish rekisteriseloste."""
    r = register
    purposes = Table("Tarkoitus", "Oikeusperuste", "Kuvaus", show_lines=True)
    for p in r.purposes.values():
        purposes.add_row(p.name, ", ".join(r.legal_bases[b].name for b in p.legal_bases), p.description)
    bases = Table("Peruste", "GDPR", "Kuvaus", show_lines=True)
    for b in r.legal_bases.values():
        bases.add_row(b.name, b.gdpr_article, b.description)
    cats = Table("Tietoryhmä", "Sisältö", "Tunnisteet / aineistot", "Tarkoitukset", "Oletussäilytys",
                 show_lines=True)
    for c in r.data_categories.values():
        what = ", ".join([*c.entity_types, *(k.value for k in c.artefact_kinds), *c.call_fields])
        cats.add_row(c.name, c.description, what, ", ".join(r.purposes[p].name for p in c.purposes),
                     str(c.retention))
    sources = Table("Lähde", "Kuvaus", show_lines=True)
    for src in r.sources.values():
        sources.add_row(src.name, src.description)
    recipients = Table("Vastaanottaja", "Kuvaus", show_lines=True)
    for rc in r.recipients:
        recipients.add_row(rc.name, rc.description)
    keep = Table("Sääntö", "Aineistot", "Ehto", "Säilytysaika", "Tarkoitus", "Peruste", show_lines=True)
    for name, pol in retention.policies.items():
        cond = ", ".join(f"{k}={v if isinstance(v, str) else '|'.join(v)}" for k, v in pol.when.items())
        cond = " ".join(filter(None, [cond, f"asetus {pol.opt_in}" if pol.opt_in else "",
                                      "oikeudellinen pito" if pol.legal_hold else ""]))
        keep.add_row(name, ", ".join(k.value for k in pol.kinds), cond or "aina", str(pol.duration),
                     r.purposes[pol.purpose].name, r.legal_bases[pol.legal_basis].name)
    ctl = r.controller
    return [
        _section(1, "Rekisterinpitäjä", Text(f"{ctl.name} ({ctl.business_id})\n{ctl.address}\n{ctl.contact}")),
        _section(2, "Yhteyshenkilö", Text(f"{r.contact_person.title}: {r.contact_person.contact}")),
        _section(3, "Rekisterin nimi", Text(r.name)),
        _section(4, "Henkilötietojen käsittelyn tarkoitukset", purposes),
        _section(5, "Käsittelyn oikeusperusteet", bases),
        _section(6, "Rekisterin tietosisältö", cats),
        _section(7, "Säännönmukaiset tietolähteet", sources),
        _section(8, "Tietojen luovutukset ja siirrot", Group(recipients, Text(r.transfers))),
        _section(9, "Säilytysajat", keep),
        _section(10, "Rekisterin suojauksen periaatteet", Text("\n".join(f"• {x}" for x in r.security))),
        _section(11, "Rekisteröidyn oikeudet", Text("\n".join(f"• {x}" for x in r.rights))),
    ]


@app.command("show")
def show() -> None:
    """Print the register description (§1–§11, in Finnish), with retention from the retention policies."""
    register, retention = _load()
    console = Console()
    console.print(Text(f"Rekisteri- ja tietosuojaseloste — päivitetty {register.updated}", style="bold"))
    for panel in render(register, retention):
        console.print(panel)


@app.command("check")
def check() -> None:
    """Validate the register and retention files against each other (exit 1 with the reason if invalid)."""
    register, retention = _load()
    typer.echo(f"ok: {len(register.data_categories)} data categories, {len(register.purposes)} purposes, "
               f"{len(retention.policies)} retention policies")
