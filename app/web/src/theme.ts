import { theme, type ThemeConfig } from "antd";

// Contrast (WCAG AA 4.5:1 for text, checked with axe-core in the browser tests, light and dark).
// antd's defaults fall short in places: in light, blue #1677ff under white text (4.1), red #ff4d4f
// as text (3.3), status tag texts on their tints (2.5-4.0), tertiary and placeholder greys; in dark,
// links and the selected tab in #1668dc (3.6 on #141414), the blue tag (3.4) and danger buttons
// (4.3). The darker (light) or lighter (dark) shades of the same palettes are used instead. In
// light, the hover and active shades derived from #0958d9 are lighter (#2e7ae6: 4.2 as a hovered
// button's text, and under white text): hovering and pressing go darker instead.

const light: ThemeConfig = {
  algorithm: theme.defaultAlgorithm,
  token: {
    colorPrimary: "#0958d9",
    colorPrimaryHover: "#003eb3",
    colorPrimaryActive: "#002c8c",
    colorInfo: "#0958d9",
    colorLink: "#0958d9",
    colorError: "#cf1322",
    colorErrorBg: "#fff2f0",
    colorErrorBorder: "#ffccc7",
    colorTextTertiary: "rgba(0, 0, 0, 0.62)",
    colorTextDescription: "rgba(0, 0, 0, 0.62)",
  },
  components: {
    Tag: { colorSuccess: "#237804", colorWarning: "#ad4e00", colorInfo: "#0958d9", colorError: "#cf1322" },
    Table: { colorTextDisabled: "rgba(0, 0, 0, 0.62)" },
  },
};

const dark: ThemeConfig = {
  algorithm: theme.darkAlgorithm,
  token: {
    colorLink: "#4096ff",
    colorLinkHover: "#69b1ff",
    colorLinkActive: "#1677ff",
    colorTextTertiary: "rgba(255, 255, 255, 0.62)",
    colorTextDescription: "rgba(255, 255, 255, 0.62)",
  },
  components: {
    Tag: { colorInfo: "#65a9f3", colorError: "#ff7875" },
    Tabs: { itemSelectedColor: "#4096ff", itemHoverColor: "#69b1ff", itemActiveColor: "#1677ff", inkBarColor: "#4096ff" },
    // Outlined danger buttons show red text on the dark page; solid ones dark text on the red.
    Button: { colorError: "#ff7875", colorErrorHover: "#ffa39e", colorErrorActive: "#ff4d4f", dangerColor: "#000000" },
    // Selected rows darker, so links on them keep 4.5:1 (the links' colour: styles.css).
    Table: { colorTextDisabled: "rgba(255, 255, 255, 0.62)", rowSelectedBg: "#111a2c", rowSelectedHoverBg: "#112545" },
  },
};

export const themeConfig = (isDark: boolean): ThemeConfig => (isDark ? dark : light);
