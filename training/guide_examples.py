"""The labeling guide's and the seeds' own example phrases, used as extra training units.

The guide (§2) defines each blame-shifting category by example, and the seeds quote the moves
verbatim («У нас аварийные ремонтные работы», «Это политика нашей компании»). Hand-written replies
paraphrase them but rarely repeat them, so a model trained on replies alone can miss the very
phrases that define the categories. These lists are the specification as data: each blame phrase
is added as a blame-shifting clause of its category (and a one-line blame-shifting reply), each soft
wording as a neutral reply with no span. `ToneChecker(guide_examples=False)` trains without them.
"""

from __future__ import annotations

BLAME_EXAMPLES: dict[str, tuple[str, ...]] = {
    "blames_customer": ("Вы сами виноваты", "Вы неправы", "Надо было внимательно читать договор"),
    "policy_shield": ("Такова политика нашей компании", "Это политика нашей компании", "Регламент не позволяет"),
    "third_party": ("Это вина курьерской службы", "У нас аварийные ремонтные работы"),
    "deflection": ("Обратитесь в другой отдел", "Это не к нам"),
    "stonewalling": (
        "У нас нет информации",
        "Когда починят — сказать не можем",
        "Ничего не знаем, заявка отправлена, когда будет интернет — сказать не можем",
        "У оператора нет информации на этот счёт и неоткуда узнать",
    ),
    "condescension": ("А вы включили прибор в розетку?", "Как я уже объяснял"),
    "customer_burden": (
        "Придите лично с паспортом и напишите заявление",
        "Нужно лично прийти на телефонную станцию и написать там заявление",
    ),
    "minimizing": ("Это всего 50 рублей", "Мы и так пошли вам навстречу"),
}

SOFT_EXAMPLES: tuple[str, ...] = (
    "Судя по документам, оплата поступила позже срока.",
    "По-видимому, произошла ошибка при вводе номера.",
    "Возможно, всё дело в розетке. Не могли бы вы оказать мне любезность: пожалуйста, проверьте, "
    "нормально ли штепсель входит в розетку.",
)

APOLOGIES: tuple[str, ...] = (
    "Приносим извинения за доставленные неудобства.",
    "Простите, пожалуйста, за ожидание.",
    "Нам очень жаль, что так вышло.",
    "Сожалеем о случившемся.",
    "Примите наши извинения.",
)
"""Apology openings for the invariance augmentation of the tone classifier: the guide says an
apology followed by blame is still blame-shifting, so each blame-shifting training reply is also
shown with one of these in front. The tests use a different apology («Извините за неудобства»)."""
