"""WeasyPrint's pagination, taken apart so that a chunk's page numbers can come after its layout (pdfchunk.py).

`paginate` is the re-pagination loop of weasyprint.layout.layout_document
without the margin boxes; `rebase` moves a laid-out chunk to its real first
page (counters shifted, pages whose side changes re-sided, pages that print a
number of their own chunk laid out again); `finish_layout` makes the margin
boxes.  These use WeasyPrint 70's layout internals (pinned; see weasy/).
"""

from __future__ import annotations

LAYOUT_LOOPS = 8  # as weasyprint.layout.layout_document


def resolve_attr(anchor_token, source_box):
    from weasyprint.urls import get_url_tuple

    attr_name, type_, fallback = anchor_token[1]
    value = source_box.element.get(attr_name, fallback)
    if type_ == "url":
        return ("url", get_url_tuple(value, source_box.style.base_url))
    return ("string", value)


def paginate(html, root_box, context, pages, first: bool):
    """The re-pagination loop of weasyprint.layout.layout_document, without the margin boxes."""
    from weasyprint.layout import make_all_pages

    actual_total_pages = len(pages)
    for loop in range(LAYOUT_LOOPS):
        if loop > 0 or not first:
            context.footnotes = context.original_footnotes.copy()
        initial_total_pages = actual_total_pages
        pages = list(make_all_pages(context, root_box, html, pages))
        actual_total_pages = len(pages)
        reloop_content = reloop_pages = False
        for _, _, _, page_state, remake_state in context.page_maker:
            page_state[1]["pages"] = [actual_total_pages]
            if remake_state["content_changed"]:
                reloop_content = True
            if remake_state["pages_wanted"]:
                reloop_pages = initial_total_pages != actual_total_pages
        if not reloop_content and not reloop_pages:
            break
    return pages


def rebase(html, root_box, context, pages, first_page: int, force: bool = False) -> None:
    """Move a chunk laid out from page 1 (right) to start at `first_page`; with `force`, compute again every
    content that prints a page number (new pages for anchors of other chunks) even if it does not move."""
    shift = first_page - 1
    flip = first_page % 2 == 0  # an even first page is a left page
    if not shift and not force:
        return
    maker = context.page_maker
    for index, (resume_at, next_page, right_page, page_state, remake_state) in enumerate(maker):
        counters = page_state[1]
        if "page" in counters:
            counters["page"] = [value + shift for value in counters["page"]]
        elif index == 0:  # before the first page: the counter the first page increments
            counters["page"] = [shift]
            page_state[2][-1].add("page")
        maker[index] = (resume_at, next_page, right_page != flip, page_state, remake_state)
    if flip:
        for index, page in enumerate(pages):
            pages[index] = reside(context, html, page)
    collector = context.target_collector
    for index in range(len(pages)):
        values = maker[index + 1][3][1]
        for anchor in list(maker[index][-1]["anchors"]):
            collector.cache_target_page_counters(anchor, values, index, maker)
    # Content that prints a page number (a target's or its own page's) is computed again with the moved
    # numbers, and its page laid out again; WeasyPrint's loop then settles it as in a single document.
    for (_, css_token), item in collector.counter_lookup_items.items():
        index = item.page_maker_index
        if css_token == "content" and index is not None and index < len(pages):
            item.parse_again(maker[index + 1][3][1])
            maker[index][-1]["content_changed"] = True
    context.reported_footnotes = []
    pages[:] = paginate(html, root_box, context, pages, first=False)


def reside(context, html, page):
    """The same laid-out page on the other side of the spread: new page box, contents moved sideways."""
    from weasyprint.formatting_structure import boxes
    from weasyprint.layout.page import (
        page_height,
        page_width,
        set_page_type_computed_styles,
    )
    from weasyprint.layout.percent import resolve_percentages

    old_type = page.page_type
    new_type = old_type._replace(side="left" if old_type.side == "right" else "right")
    set_page_type_computed_styles(new_type, html, context.style_for)
    style = context.style_for(new_type)
    style["overflow"] = page.style["overflow"]
    new = boxes.PageBox(new_type, style)
    size = new.style["size"]
    resolve_percentages(new, size)
    new.position_x = new.position_y = 0
    page_width(new, context, size[0])
    page_height(new, context, size[1])
    if (new.width, new.height) != (page.width, page.height):
        raise SideChangeError(f"left and right pages differ in size: {page.width}x{page.height} "
                              f"vs {new.width}x{new.height}")
    dx = new.content_box_x() - page.content_box_x()
    dy = new.content_box_y() - page.content_box_y()
    for child in page.children:
        child.translate(dx, dy)
    new.children = page.children
    new.fixed_boxes = page.fixed_boxes
    return new


class SideChangeError(Exception):
    """The page box changes size between left and right pages, so a chunk cannot be moved across sides."""


def finish_layout(context, pages):
    """The end of weasyprint.layout.layout_document: named strings, bookmark labels, margin boxes, backgrounds."""
    from weasyprint.layout import layout_fixed_boxes, make_margin_boxes
    from weasyprint.layout.background import layout_backgrounds

    context.string_set.clear()
    watch_elements, watch_before, watch_after = [], [], []
    for i, page in enumerate(pages):
        page_counter_values = context.page_maker[i + 1][3][1]
        for child in page.descendants():
            if child.bookmark_label:
                if child.element_tag.endswith("::before"):
                    checklist = watch_before
                elif child.element_tag.endswith("::after"):
                    checklist = watch_after
                else:
                    checklist = watch_elements
                if child.element in checklist:
                    child.bookmark_label = ""
                else:
                    checklist.append(child.element)
            if child.missing_link:
                for (box, css_token), item in context.target_collector.counter_lookup_items.items():
                    if child.missing_link == box and css_token != "content":
                        if css_token == "bookmark-label" and not child.bookmark_label:
                            continue
                        item.parse_again(page_counter_values)
                        if css_token == "bookmark-label":
                            child.bookmark_label = box.bookmark_label
            string_sets = child.string_set
            if string_sets and string_sets != "none":
                for string_name, text in string_sets:
                    context.string_set[string_name][i + 1].append(text)
    for i, page in enumerate(pages):
        root, footnote_area, note_area = page.children
        root_children = []
        root_children.extend(layout_fixed_boxes(context, pages[:i], page))
        root_children.extend(root.children)
        root_children.extend(layout_fixed_boxes(context, pages[i + 1:], page))
        root.children = root_children
        context.current_page = i + 1
        state = context.page_maker[context.current_page][3]
        children = [root]
        if footnote_area.children:
            children.append(footnote_area)
        if note_area.children:
            children.append(note_area)
        children.extend(make_margin_boxes(context, page, state))
        page.children = tuple(children)
        layout_backgrounds(page, context.get_image_from_uri)
        yield page
