//! The *ricevuta*: one A4 page the contributor takes home after "Conferma Appuntamento".
//!
//! Tagged PDF (headings, paragraphs, the QR code as a figure with its alternative text),
//! with the document's language and title, fonts embedded (subsets of DejaVu, compiled in).
//! The notes of the appointment are never printed: they are the operator's words to INPS.

use std::fmt;
use std::num::NonZeroU16;

use agenda_core::{AppointmentId, Channel, FiscalCode};
use chrono::{DateTime, Utc};
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::metadata::Metadata;
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::surface::Surface;
use krilla::tagging::{ArtifactType, ContentTag, Node, SpanTag, Tag, TagGroup, TagKind, TagTree};
use krilla::text::{Font, GlyphId, KrillaGlyph};
use krilla::{Document, SerializeSettings};
use qrcode::{EcLevel, QrCode};

use crate::words::{self, Lang};
use crate::ExportError;

static SANS: &[u8] = include_bytes!("../fonts/DejaVuSans-Latin.ttf");
static SANS_BOLD: &[u8] = include_bytes!("../fonts/DejaVuSans-Bold-Latin.ttf");
static MONO_BOLD: &[u8] = include_bytes!("../fonts/DejaVuSansMono-Bold-Latin.ttf");

/// A4, in points.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
const MARGIN: f32 = 56.0;
const TEXT_W: f32 = PAGE_W - 2.0 * MARGIN;
/// The QR code's side, in points (about 3.2 cm: read by any phone at arm's length).
const QR_SIDE: f32 = 92.0;

/// Where the appointment takes place, when it is at an office.
#[derive(Clone, PartialEq, Eq)]
pub struct OfficeAddress {
    /// The struttura territoriale's name.
    pub name: String,
    /// Street address.
    pub address: String,
    /// City.
    pub city: String,
    /// Province (sigla).
    pub province: String,
}

impl OfficeAddress {
    /// "Via Roma 1, 40121 Bologna (BO)": the address as one line.
    pub fn one_line(&self) -> String {
        let mut line = self.address.trim().to_owned();
        let city = self.city.trim();
        if !city.is_empty() {
            if !line.is_empty() {
                line.push_str(", ");
            }
            line.push_str(city);
        }
        let province = self.province.trim();
        if !province.is_empty() {
            line.push_str(&format!(" ({province})"));
        }
        line
    }
}

impl fmt::Debug for OfficeAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OfficeAddress")
            .field("name", &self.name)
            .finish_non_exhaustive()
    }
}

/// What a receipt says. Built by the application layer from a confirmed appointment.
#[derive(Clone)]
pub struct Receipt {
    /// The document's language (the UI's).
    pub lang: Lang,
    /// The operator's patronato or association.
    pub organisation: String,
    /// Identificativo appuntamento.
    pub id: AppointmentId,
    /// The contributor's name.
    pub contributor_name: String,
    /// The contributor's codice fiscale.
    pub fiscal_code: FiscalCode,
    /// Argomento (label).
    pub topic: String,
    /// Punto di consulenza (label).
    pub point: String,
    /// How the consultation takes place.
    pub channel: Channel,
    /// Struttura territoriale's name.
    pub office_name: String,
    /// Its address, when known.
    pub office: Option<OfficeAddress>,
    /// Start.
    pub start: DateTime<Utc>,
    /// When the receipt is printed.
    pub issued_at: DateTime<Utc>,
}

impl fmt::Debug for Receipt {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Receipt")
            .field("lang", &self.lang)
            .field("id", &self.id)
            .field("channel", &self.channel)
            .field("start", &self.start)
            .finish_non_exhaustive()
    }
}

/// The three faces, with what they can print.
struct Fonts {
    sans: Face,
    bold: Face,
    mono: Face,
}

/// A font for krilla, and the same font read for measuring.
struct Face {
    font: Font,
    metrics: ttf_parser::Face<'static>,
}

impl Face {
    fn load(data: &'static [u8]) -> Result<Self, ExportError> {
        let font = Font::new(data.into(), 0).ok_or_else(|| bad_font(data))?;
        let metrics = ttf_parser::Face::parse(data, 0).map_err(|_| bad_font(data))?;
        Ok(Self { font, metrics })
    }

    /// `text` with every character the font cannot print replaced by `?`.
    fn printable(&self, text: &str) -> String {
        text.chars()
            .map(|c| match c {
                '\t' | '\n' | '\r' => ' ',
                c if self.metrics.glyph_index(c).is_some() => c,
                _ => '?',
            })
            .collect()
    }

    /// The glyphs of `text`, one per character, placed by their advances (no kerning: the
    /// receipt's Latin text needs no shaping, and a shaper would cost the binary ~0.5 MB).
    /// `text` must be [`Face::printable`].
    fn glyphs(&self, text: &str) -> Vec<KrillaGlyph> {
        let per_em = f32::from(self.metrics.units_per_em().max(1));
        text.char_indices()
            .map(|(at, c)| {
                let glyph = self
                    .metrics
                    .glyph_index(c)
                    .unwrap_or(ttf_parser::GlyphId(0));
                let advance = self.metrics.glyph_hor_advance(glyph).map_or(0.0, f32::from);
                KrillaGlyph::new(
                    GlyphId::new(u32::from(glyph.0)),
                    advance / per_em,
                    0.0,
                    0.0,
                    0.0,
                    at..at + c.len_utf8(),
                    None,
                )
            })
            .collect()
    }

    /// The width of `text` at `size` points (advances only; no kerning).
    fn width(&self, text: &str, size: f32) -> f32 {
        let per_em = f32::from(self.metrics.units_per_em().max(1));
        let units: f32 = text
            .chars()
            .filter_map(|c| self.metrics.glyph_index(c))
            .filter_map(|g| self.metrics.glyph_hor_advance(g))
            .map(f32::from)
            .sum();
        units * size / per_em
    }

    /// `text` broken into lines no wider than `max` points, at word boundaries (a word
    /// longer than a line is cut).
    fn wrap(&self, text: &str, size: f32, max: f32) -> Vec<String> {
        let mut lines = Vec::new();
        let mut line = String::new();
        for word in text.split_whitespace() {
            let candidate = if line.is_empty() {
                word.to_owned()
            } else {
                format!("{line} {word}")
            };
            if self.width(&candidate, size) <= max {
                line = candidate;
                continue;
            }
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            let mut piece = String::new();
            for c in word.chars() {
                piece.push(c);
                if self.width(&piece, size) > max {
                    piece.pop();
                    lines.push(std::mem::take(&mut piece));
                    piece.push(c);
                }
            }
            line = piece;
        }
        if !line.is_empty() {
            lines.push(line);
        }
        lines
    }
}

fn bad_font(_: &[u8]) -> ExportError {
    ExportError::Pdf("font incorporato illeggibile".into())
}

fn fonts() -> Result<Fonts, ExportError> {
    Ok(Fonts {
        sans: Face::load(SANS)?,
        bold: Face::load(SANS_BOLD)?,
        mono: Face::load(MONO_BOLD)?,
    })
}

/// The page being written: the surface, the pen's position, and the tag tree it grows.
struct Writer<'a, 'b> {
    surface: Surface<'a>,
    fonts: &'b Fonts,
    /// Distance of the next line's baseline from the top of the page.
    y: f32,
    tree: TagTree,
}

const INK: (u8, u8, u8) = (0x1a, 0x1a, 0x1a);
const MUTED: (u8, u8, u8) = (0x4a, 0x4a, 0x4a);
const ACCENT: (u8, u8, u8) = (0x00, 0x4b, 0x87);

fn fill((r, g, b): (u8, u8, u8)) -> Fill {
    Fill {
        paint: rgb::Color::new(r, g, b).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}

impl Writer<'_, '_> {
    /// Ends the page's drawing; the tag tree remains.
    fn finish(self) -> TagTree {
        self.surface.finish();
        self.tree
    }

    /// One line of text at (`x`, baseline `self.y`), as a span the caller files in a group.
    fn line(&mut self, face: &Face, size: f32, x: f32, text: &str, colour: (u8, u8, u8)) -> Node {
        let text = face.printable(text);
        self.surface.set_fill(Some(fill(colour)));
        let id = self
            .surface
            .start_tagged(ContentTag::Span(SpanTag::empty()));
        let glyphs = face.glyphs(&text);
        self.surface.draw_glyphs(
            Point::from_xy(x, self.y),
            &glyphs,
            face.font.clone(),
            &text,
            size,
            false,
        );
        self.surface.end_tagged();
        id.into()
    }

    /// A block of wrapped text under tag `tag`, moving the pen down.
    fn block(
        &mut self,
        tag: impl Into<TagKind>,
        face: &Face,
        size: f32,
        text: &str,
        colour: (u8, u8, u8),
    ) -> TagGroup {
        let mut group = TagGroup::new(tag);
        let leading = size * 1.35;
        for line in face.wrap(&face.printable(text), size, TEXT_W) {
            self.y += leading;
            let node = self.line(face, size, MARGIN, &line, colour);
            group.push(node);
        }
        group
    }

    fn heading(&mut self, level: u16, text: &str, size: f32) {
        self.y += size * 0.6;
        let level = NonZeroU16::new(level).unwrap_or(NonZeroU16::MIN);
        let fonts = self.fonts;
        let group = self.block(
            Tag::Hn(level, Some(text.to_owned())),
            &fonts.bold,
            size,
            text,
            ACCENT,
        );
        self.tree.push(group);
    }

    fn paragraph(&mut self, text: &str) {
        let fonts = self.fonts;
        let group = self.block(Tag::P, &fonts.sans, 10.5, text, INK);
        self.tree.push(group);
        self.y += 4.0;
    }

    /// "Label: value" rows, the label above its value.
    fn field(&mut self, label: &str, value: &str) {
        let fonts = self.fonts;
        let mut group = TagGroup::new(Tag::P);
        self.y += 15.0;
        let label_node = self.line(&fonts.sans, 8.5, MARGIN, &label.to_uppercase(), MUTED);
        let mut lbl = TagGroup::new(Tag::Lbl);
        lbl.push(label_node);
        group.push(lbl);
        for line in fonts.bold.wrap(&fonts.bold.printable(value), 12.0, TEXT_W) {
            self.y += 15.0;
            let node = self.line(&fonts.bold, 12.0, MARGIN, &line, INK);
            group.push(node);
        }
        self.tree.push(group);
    }

    /// A thin rule across the text column, as an artifact (decoration, not content).
    fn rule(&mut self) {
        self.y += 12.0;
        self.surface
            .start_tagged(ContentTag::Artifact(krilla::tagging::Artifact::with_kind(
                ArtifactType::Other,
            )));
        self.surface.set_fill(Some(fill((0xc8, 0xc8, 0xc8))));
        if let Some(rect) = Rect::from_xywh(MARGIN, self.y, TEXT_W, 0.8) {
            let mut path = PathBuilder::new();
            path.push_rect(rect);
            if let Some(path) = path.finish() {
                self.surface.draw_path(&path);
            }
        }
        self.surface.end_tagged();
        self.y += 4.0;
    }

    /// The QR code of `id` with its top-left corner at (`x`, `top`): a figure.
    fn qr(&mut self, id: &AppointmentId, x: f32, top: f32, alt: &str) -> Result<(), ExportError> {
        let code = QrCode::with_error_correction_level(id.as_str().as_bytes(), EcLevel::M)
            .map_err(|_| ExportError::Qr)?;
        let width = code.width();
        let colors = code.to_colors();
        // Four modules of quiet zone on each side, as the standard asks.
        let modules = width + 8;
        let module = QR_SIDE / modules as f32;
        let mut path = PathBuilder::new();
        for (i, color) in colors.iter().enumerate() {
            if *color != qrcode::Color::Dark {
                continue;
            }
            let (row, col) = (i / width, i % width);
            let left = x + (col + 4) as f32 * module;
            let y = top + (row + 4) as f32 * module;
            // A hair wider than a module, so that no seam shows between neighbours.
            if let Some(rect) = Rect::from_xywh(left, y, module + 0.05, module + 0.05) {
                path.push_rect(rect);
            }
        }
        let id_node = self.surface.start_tagged(ContentTag::Other);
        self.surface.set_fill(Some(fill((0, 0, 0))));
        if let Some(path) = path.finish() {
            self.surface.draw_path(&path);
        }
        self.surface.end_tagged();
        let mut figure = TagGroup::new(Tag::Figure(Some(alt.to_owned())));
        figure.push(id_node);
        self.tree.push(figure);
        Ok(())
    }
}

/// The receipt as a PDF file.
pub fn render(receipt: &Receipt) -> Result<Vec<u8>, ExportError> {
    let labels = words::labels(receipt.lang);
    let fonts = fonts()?;
    let settings = SerializeSettings {
        enable_tagging: true,
        ..SerializeSettings::default()
    };
    let mut document = Document::new_with(settings);
    let title = format!("{} {}", labels.title, receipt.id.as_str());
    document.set_metadata(
        Metadata::new()
            .title(title)
            .language(receipt.lang.tag().to_owned())
            .creator("Cassetto Agenda".to_owned())
            .producer("Cassetto Agenda (krilla)".to_owned()),
    );
    let page_settings = PageSettings::from_wh(PAGE_W, PAGE_H)
        .ok_or_else(|| ExportError::Pdf("pagina A4 non valida".into()))?;
    let tree = {
        let mut page = document.start_page_with(page_settings);
        let tree = {
            let mut w = Writer {
                surface: page.surface(),
                fonts: &fonts,
                y: MARGIN - 10.0,
                tree: TagTree::new().with_lang(Some(receipt.lang.tag().to_owned())),
            };
            write_page(&mut w, receipt)?;
            w.finish()
        };
        page.finish();
        tree
    };
    document.set_tag_tree(tree);
    document
        .finish()
        .map_err(|e| ExportError::Pdf(format!("{e:?}")))
}

fn write_page(w: &mut Writer<'_, '_>, r: &Receipt) -> Result<(), ExportError> {
    let labels = words::labels(r.lang);
    let fonts = w.fonts;

    // Who issues it.
    let header = format!("Cassetto Agenda · {}", r.organisation);
    let group = w.block(Tag::P, &fonts.bold, 10.0, &header, MUTED);
    w.tree.push(group);
    w.heading(1, labels.title, 20.0);
    w.rule();

    // The identificativo, large, with its QR code on the right.
    let id_top = w.y;
    w.qr(
        &r.id,
        PAGE_W - MARGIN - QR_SIDE,
        id_top + 4.0,
        labels.qr_alt,
    )?;
    w.y += 18.0;
    let mut id_group = TagGroup::new(Tag::P);
    let label = w.line(&fonts.sans, 9.0, MARGIN, &labels.id.to_uppercase(), MUTED);
    let mut lbl = TagGroup::new(Tag::Lbl);
    lbl.push(label);
    id_group.push(lbl);
    w.y += 38.0;
    let id_node = w.line(&fonts.mono, 30.0, MARGIN, r.id.as_str(), INK);
    id_group.push(id_node);
    w.y += 20.0;
    let hint = w.line(&fonts.sans, 9.0, MARGIN, labels.id_hint, MUTED);
    id_group.push(hint);
    w.tree.push(id_group);
    w.y = w.y.max(id_top + QR_SIDE + 8.0);
    w.rule();

    // The facts.
    w.field(labels.when, &words::date_time_in_words(r.start, r.lang));
    w.field(labels.contributor, &r.contributor_name);
    w.field(labels.fiscal_code, r.fiscal_code.as_str());
    w.field(labels.topic, &r.topic);
    w.field(labels.point, &r.point);
    w.field(labels.channel, words::channel_name(r.channel, r.lang));
    let office = match &r.office {
        Some(office) => format!("{} — {}", r.office_name, office.one_line()),
        None => r.office_name.clone(),
    };
    w.field(labels.office, &office);
    w.rule();

    // What to expect, and how to cancel.
    w.heading(2, labels.how, 13.0);
    w.paragraph(words::how_it_happens(r.channel, r.lang));
    w.heading(2, labels.cancel, 13.0);
    w.paragraph(words::how_to_cancel(r.lang));
    w.rule();

    let issued = format!(
        "{} {} {} {}",
        labels.issued_by,
        r.organisation,
        labels.issued_on,
        words::date_time_in_words(r.issued_at, r.lang)
    );
    let group = w.block(Tag::P, &fonts.sans, 8.5, &issued, MUTED);
    w.tree.push(group);
    Ok(())
}
