using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using SkiaSharp;

namespace MlNetTransfer.Tests.Support;

/// <summary>
/// The kinds of file a user's photo folder holds besides ordinary photos, made by the tests: odd encodings, odd
/// sizes, misnamed and broken files. PNGs are written by hand (so bit depth, palette and header are exactly what
/// the test asks for); five that no .NET encoder here writes are embedded: a 16×16 CMYK JPEG and a 2-frame
/// animated GIF, made with ImageMagick 6.9 ("convert -size 16x16 xc:red -colorspace CMYK cmyk.jpg",
/// "convert -delay 10 -size 16x16 xc:red xc:blue -loop 0 anim.gif"), and a 16×12 progressive JPEG of a generated
/// gradient (libjpeg-turbo 2.1.5's "cjpeg -progressive -quality 75") and a 40×30 baseline JPEG with one scan per
/// component ("cjpeg -scans" with the scans "0;", "1;", "2;"), and a 400×260 JPEG of a generated pattern with 4:4:0
/// chroma and restart markers ("cjpeg -sample 1x2 -restart 2 -quality 50"), which Skia's encoder cannot write.
/// </summary>
public static class OddImages
{
    private const string CmykJpegBase64 = "/9j/7gAOQWRvYmUAZAAAAAAC/9sAQwADAgIDAgIDAwMDBAMDBAUIBQUEBAUKBwcGCAwKDAwLCgsLDQ4SEA0OEQ4LCxAWEBETFBUVFQwPFxgWFBgSFBUU/9sAQwEDBAQFBAUJBQUJFA0LDRQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQU/8AAFAgAEAAQBAERAAIRAQMRAQQRAP/EABYAAQEBAAAAAAAAAAAAAAAAAAAICf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/xAAWAQEBAQAAAAAAAAAAAAAAAAAABwn/xAAUEQEAAAAAAAAAAAAAAAAAAAAA/9oADgQBAAIRAxEEAAA/AKIXNlU1TAAAAf/Z";
    private const string AnimatedGifBase64 = "R0lGODlhEAAQAPAAAP8AAAAAACH5BAAKAAAAIf8LTkVUU0NBUEUyLjADAQAAACwAAAAAEAAQAAACDoSPqcvtD6OctNqLsz4FACH5BAAKAAAALAAAAAAQABAAgAAA/wAAAAIOhI+py+0Po5y02ouzPgUAOw==";

    private const string ProgressiveJpegBase64 = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/2wBDAQkJCQwLDBgNDRgyIRwhMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjL/wgARCAAMABADASIAAhEBAxEB/8QAFQABAQAAAAAAAAAAAAAAAAAABQb/xAAVAQEBAAAAAAAAAAAAAAAAAAACBf/aAAwDAQACEAMQAAABnE1lpx//xAAXEAADAQAAAAAAAAAAAAAAAAAAAgME/9oACAEBAAEFAkzCZSaKTmp//8QAFhEBAQEAAAAAAAAAAAAAAAAABAAC/9oACAEDAQE/AQu1f//EABcRAQADAAAAAAAAAAAAAAAAAAEAAgP/2gAIAQIBAT8BNG8//8QAFhAAAwAAAAAAAAAAAAAAAAAAABAx/9oACAEBAAY/AiP/xAAXEAADAQAAAAAAAAAAAAAAAAAAEFFh/9oACAEBAAE/IclIiA//2gAMAwEAAgADAAAAEFP/xAAWEQADAAAAAAAAAAAAAAAAAAAAARH/2gAIAQMBAT8QRh//xAAVEQEBAAAAAAAAAAAAAAAAAAAAMf/aAAgBAgEBPxC4/8QAFxAAAwEAAAAAAAAAAAAAAAAAABEhwf/aAAgBAQABPxB6yOWCYyH/2Q==";

    private const string VerticalChromaJpegBase64 = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDABALDA4MChAODQ4SERATGCgaGBYWGDEjJR0oOjM9PDkzODdASFxOQERXRTc4UG1RV19iZ2hnPk1xeXBkeFxlZ2P/2wBDARESEhgVGC8aGi9jQjhCY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2NjY2P/wAARCAEEAZADARIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/8QAHwEAAwEBAQEBAQEBAQAAAAAAAAECAwQFBgcICQoL/8QAtREAAgECBAQDBAcFBAQAAQJ3AAECAxEEBSExBhJBUQdhcRMiMoEIFEKRobHBCSMzUvAVYnLRChYkNOEl8RcYGRomJygpKjU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6goOEhYaHiImKkpOUlZaXmJmaoqOkpaanqKmqsrO0tba3uLm6wsPExcbHyMnK0tPU1dbX2Nna4uPk5ebn6Onq8vP09fb3+Pn6/90ABABk/9oADAMBAAIRAxEAPwDg8U/FdtyLjcU/FFx3G4p2KVx3ExTsUXKuNxT8UrjuS4p2K9y5ncTFOxRcdxMU7FK5VxuKfii47jcU7FFx3K+KdivCubXExTsUXHcTFOxSuO43FPxRcq43FOxSuO5NinYr3LmdxMU7FFyrjcU/FK47jcU7FFx3ExTsUXHcr4p2K8K5tcbin4ouO43FPxSuO43FOxRcq4mKdilcdyXFPxXuXM7jcU7FFyriYp2KVx3ExTsUXHcbin4ouO5WxT8V4Vza43FOxSuO4mKdii47iYp2KLlXG4p+KVx3JcU7Fe5czuJinYouVcTFOxSuO43FPxRcdxuKdilcdyvinYrw7m1xMU7FK47jcU/FFx3G4p+KLlXG4p2KVx3JsU7Fe5czuNxT8UXKuNxTsUrjuJinYouO4mKdilcdzlcU7Fctz4a4mKdilcdxMU7FFx3G4p+KVx3G4p+KLlXJcU7Fe5czuJinYpXHcbin4ouVcbinYouO4mKdilcdyvinYrwrm1xuKfii47jcU/FFx3G4p2KVx3ExTsUXKuS4p+K9y5ncbinYpXHcTFOxRcq4mKdii47jcU/FK47lbFPxXhXNrjcU7FFx3ExTsUXHcTFOxSuO43FPxRcq5LinYr3LmdxMU7FK47iYp2KLlXG4p+KVx3G4p2KLjuV8U7FeFc2uJinYouO4mKdii47jcU/FK47jcU7FFyrk2KdivcuZ3G4p+KVx3G4p2KLlXExTsUrjuJinYouO5XxTsV4Vza43FPxRcdxuKdii47iYp2KVx3ExTsUXKuS4p+K9y5ncbinYpXHcTFOxRcq4mKdilcdxuKfii47n/9DjcVZxXrfVP734HHzlfFWcUfVP734Fc5WxVrFL6p/e/AfOVsVZxR9U/vfgPnK+Ks4o+qf3vwHzjcVHil9d/u/iOxLio8UfXf7v4lWJcVFil9d/u/iOxNiosUfXf7v4jsTYqLFL67/d/EdhuKtYo+qf3vwHzlbFWcUfVP734Fc5XxVnFL6p/e/AfOV8VZxR9U/vfgPnK2KtYpfVP734D5xuKjxR9d/u/iOxLiosUfXf7v4lWJsVFil9d/u/iOxLio8UfXf7v4jsS4qPFH13+7+I7DcVZxS+qf3vwHzlfFWcUfVP734Fc5XxVnFL6p/e/AfOVsVaxR9U/vfgPnK2Ks4pfVP734D5xMVFij67/d/EdiXFR4o+u/3fxKsS4qPFL67/AHfxHYlxUWKPrv8Ad/EdibFRYpfXf7v4jsJirOKPqn978B85WxVrFH1T+9+BXOVsVZxS+qf3vwHzlfFWcUfVP734D5yvirOKX1T+9+A+cbio8UfXf7v4jsS4qPFH13+7+JViXFRYpfXf7v4jsTYqLFH13+7+I7EuKjxS+u/3fxHYbirOKPqn978B85XxVnFH1T+9+BXOV8VZxS+qf3vwHzlfFWcUfVP734D5ytirWKX1T+9+A+cbiosUfXf7v4jsTYqLFH13+7+JViXFR4pfXf7v4jsS4qPFH13+7+I7EuKjxS+u/wB38R2MLFOxX0Fz8/uJinYpXHcTFOxRcdxMU7FFyrjcU7FK47lfFOxXh3NriYp2KVx3ExTsUXHcbin4pXHcbinYouO5NinYr3LkXExTsUrjuNxT8UXHcbinYouVcTFOxSuO5XxTsV4dza4mKdilcdxuKdii47iYp2KVx3ExTsUXHclxT8V7lyLjcU7FK47iYp2KLjuJinYouVcTFOxSuO5WxT8V4dza43FOxSuO4mKdii47iYp2KVx3ExTsUXHclxTsV7lyLiYp2KVx3ExTsUXHcbin4ouVcbinYpXHcr4p2K8K5tcTFOxRcdxMU7FFx3G4p+KVx3G4p2KLjuTYp2K9y5FxuKfilcdxuKdii47iYp2KVyriYp2KLjuV8U7FeFc2uNxT8UXHcbinYouO4mKdilcdxMU7FFx3P//R53FOxXv3PLuJinYouO43FPxRcdxuKdilcq4mKdii47lfFOxXhXNbjcU/FFyrjcU/FK47jcU7FFx3ExTsUXHclxT8V7dyLjcU7FFx3ExTsUXHcTFOxSuVcbin4ouO5WxT8V4Vza43FOxRcdxMU7FK47iYp2KLjuNxT8UXHclxTsV7dyLiYp2KLjuJinYouO43FPxSuVcbinYouO5XxTsV4Vza4mKdii47jcU/FK47jcU/FFx3G4p2KVx3JsU7Fe5ci43FPxRcdxuKdilcdxMU7FFyriYp2KLjuV8U7FeFc2uNxT8UXHcbinYpXHcTFOxRcdxMU7FK47kuKfivcuRcbinYouO4mKdilcdxMU7FFyrjcU/FFx3K2KfivCubXG4p2KLjuJinYpXHcbin4ouO43FPxSuO5zmKdivSufA3G4p+KVyrjcU7FFx3ExTsUXHcTFOxSuO5Lin4r3LkXG4p2KLjuJinYpXHcTFOxRcdxuKfilcq5WxT8V4dzW43FOxSuVcTFOxRcdxuKfilcdxuKfii47kuKdivcuRcTFOxSuO43FPxRcdxuKfii47jcU7FK5VyvinYrw7mtxMU7FK5VxuKfii47jcU7FK47iYp2KLjuTYp2K9y5FxuKfilcdxuKdii47iYp2KLjuJinYpXKuVsU/FeHc1uNxT8UrlXG4p2KLjuJinYpXHcTFOxRcdyXFOxXuXIuJinYpXHcTFOxRcdxuKfii47jcU/FK5VytinYrw7mtxMU7FK5VxMU7FFx3G4p+KVx3G4p2KLjuTYp2K9y5FxMU7FK47jcU/FFx3G4p2KLjuJinYpXKuf/9Ln8U7FTc8m4mKdii47iYp2KLlXExTsUrjuNxTsUXHcmxTsV7dyLiYp2KLjuNxT8UXHcbinYpXHcTFOxRcq5XxTsV4VzW4mKdii47jcU/FK5VxuKdii47iYp2KLjuTYp2K9u5FxuKdii47iYp2KLjuJinYpXHcTFOxRcdyvinYrwrm1xuKdii47iYp2KVyriYp2KLjuJinYouO5LinYr27kXExTsUXHcTFOxRcdxuKfilcdxuKdii5VyvinYrwrmtxMU7FFx3ExTsUrlXG4p+KLjuNxTsUXHcmxTsV7dyLiYp2KLjuNxTsUXHcTFOxSuO4mKdii47lfFOxXhXNriYp2KLjuNxTsUrlXExTsUXHcTFOxSuO5Lin4r3LkXG4p2KLjuJinYouO4mKdilcdxMU7FFyrnK4qzir+qf3vwPg+crYq1ij6p/e/AfOVsVZxS+qf3vwHzlfFWcUfVP734D5yvirOKX1T+9+BXONxUeKPrv8Ad/EdiXFR4o+u/wB38R2JcVFil9d/u/iOxNiosUfXf7v4lWJcVHil9d/u/iOw3FWsUfVP734D5ytirOKPqn978B85XxVnFL6p/e/AfOV8VZxR9U/vfgVzlbFWsUvqn978B843FRYo+u/3fxHYmxUWKPrv938R2JcVHil9d/u/iOxLio8UfXf7v4lWJcVHil9d/u/iOw3FWcUfVP734D5yvirOKPqn978B85WxVrFL6p/e/AfOVsVZxR9U/vfgVzlfFWcUvqn978B84mKixR9d/u/iOxLio8Uvrv8Ad/EdiXFR4o+u/wB38R2JcVFij67/AHfxKsTYqLFL67/d/EdhMVZxR9U/vfgPnK2KtYpfVP734D5ytirOKPqn978B85XxVnFH1T+9+BXOV8VZxS+qf3vwHzjcVHij67/d/EdiXFRYpfXf7v4jsTYqLFH13+7+I7E2KixR9d/u/iVYlxUeKX13+7+I7DcVZxR9U/vfgPnK+Ks4pfVP734D5yvirOKPqn978B85WxVrFH1T+9+BXOVsVZxS+qf3vwHziYqLFH13+7+I7E2KixS+u/3fxHYlxUeKPrv938R2JcVHij67/d/EqxLiosUvrv8Ad/Edj//Tz8U/Fetc+fuNxTsUrjuJinYouO4mKdilcdxuKfii47lbFPxXhXNrjcU7FFx3ExTsUXHcbin4pXKuNxT8UXHclxTsV7lyLiYp2KVx3G4p+KLjuNxTsUrjuJinYouO5XxTsV4Vza4mKdii47jcU/FFx3G4p2KVyriYp2KLjuS4p+K9y5FxuKfilcdxuKdii47iYp2KVx3ExTsUXHcrYp+K8K5tcbin4ouO43FOxSuO4mKdii5VxMU7FFx3JcU7Fe3ci4mKdii47iYp2KLjuNxT8UrjuNxT8UXHcrYp2K8K5tcTFOxRcdxMU7FK47jcU/FFyrjcU7FFx3JsU7Fe3ci4mKdii47jcU/FFx3G4p2KVx3ExTsUXHcr4p2K8K5tcbin4ouO43FPxSuO43FOxRcq4mKdii47mHinYr625+eXExTsUXKuNxT8UrjuNxTsUXHcTFOxRcdyvinYrwrm1xMU7FK47jcU/FFx3G4p2KLlXExTsUrjuTYp2K9y5ncbin4ouVcbinYpXHcTFOxRcdxMU7FK47lfFOxXh3NrjcU/FK47jcU7FFx3ExTsUXKuJinYpXHclxTsV7lzO4mKdii5VxMU7FK47jcU/FFx3G4p2KVx3K+KdivDubXExTsUrjuJinYouO43FPxRcq43FOxSuO5NinYr3LmdxMU7FFyrjcU/FK47jcU7FFx3ExTsUrjuV8U7FeHc2uJinYpXHcbin4ouO43FOxRcq4mKdilcdyXFPxXuXM7jcU7FFyriYp2KVx3ExTsUXHcbin4pXHcrYp+K8O5tcbinYpXHcTFOxRcdxMU7FK5VxuKfii47n//Uo4p+K5LnztxuKfilcdxuKdii47iYp2KVyriYp2KLjuS4p2K9y5ncTFOxSuVcTFOxRcdxuKfii47jcU/FK47lbFOxXh3NriYp2KVx3ExTsUXHcbin4pXKuNxT8UXHclxTsV7lzO4mKdilcq43FPxRcdxuKdilcdxMU7FFx3K+KdivCubXExTsUXHcbin4ouO43FOxSuVcTFOxRcdyXFPxXuXM7jcU/FK5VxuKdii47iYp2KVx3G4p+KLjuVsU/FeFc2uNxTsUXHcTFOxRcdxMU7FK5VxuKfii47kuKdivcuZ3ExTsUrlXExTsUXHcbin4pXHcbinYouO5XxTsV4Vza4mKdii47iYp2KLjuNxT8UrlXG4p2KLjuTYp2K9y5ncbin4pXKuNxT8UXHcbinYpXHcTFOxRcdzlcU/Fclz4a43FOxRcdxMU7FK47jcU/FFx3G4p+KVyrkuKdivcuZ3ExTsUXHcbin4pXKuNxTsUXHcTFOxRcdyvinYrwrm1xMU7FFx3G4p+KVx3G4p2KLjuJinYpXKuS4p+K9y5ncbin4ouO43FOxSuVcTFOxRcdxMU7FFx3K2KfivCubXG4p+KLjuNxTsUrjuJinYouO43FPxSuVclxTsV7lzO4mKdii47iYp2KVyrjcU/FFx3G4p2KLjuV8U7FeFc2uJinYouO4mKdilcdxuKfii47jcU7FK5VybFOxXuXM7jcU/FFx3G4p+KVyrjcU7FFx3ExTsUXHcr4p2K8K5tcbin4pXHcbin4ouO43FOxRcdxMU7FK5VyXFPxXuXM7jcU7FFx3ExTsUrlXExTsUXHcbin4pXHc//1Y8VZxU/VP734HynOV8VZxS+qf3vwK5ytirWKPqn978B85WxVnFH1T+9+A+cr4qzil9U/vfgPnExUWKPrv8Ad/EdiXFR4pfXf7v4lWJcVHij67/d/EdiXFRYpfXf7v4jsTYqLFH13+7+I7CYqzij6p/e/AfOVsVZxS+qf3vwK5yvirOKPqn978B85XxVnFL6p/e/AfOV8VZxR9U/vfgPnG4qPFH13+7+I7EuKixS+u/3fxKsTYqLFH13+7+I7EuKjxS+u/3fxHYlxUeKPrv938R2G4qzij6p/e/AfOV8VZxS+qf3vwK5yvirOKPqn978B85WxVrFL6p/e/AfOVsVZxR9U/vfgPnExUWKPrv938R2JsVFil9d/u/iVYlxUeKPrv8Ad/EdiXFR4pfXf7v4jsS4qLFH13+7+I7CYqzij6p/e/AfOV8VZxS+qf3vwK5ytirOKPqn978B85XxVnFL6p/e/AfOV8VZxR9U/vfgPnG4qPFH13+7+I7EuKjxS+u/3fxKsS4qLFH13+7+I7E2KixS+u/3fxHYlxUeKPrv938R2G4q1il9U/vfgPnK2Ks4o+qf3vwK5yvirOKPqn978B85XxVnFL6p/e/AfOVsVaxR9U/vfgPnG4qPFL67/d/EdiXFRYo+u/3fxKsTYqLFH13+7+I7EuKjxS+u/wB38R2JcVHij67/AHfxHYwsU7Fe/c/P7iYp2KLjuJinYouVcbin4pXHcbin4ouO5WxTsV4Vza4mKdii47iYp2KVx3G4p+KLjuNxT8UXHclxTsV7dyLiYp2KLjuNxT8UXKuNxTsUrjuJinYouO5XxTsV4Vza4mKdii47jcU/FK47jcU7FFx3ExTsUXHclxT8V7dyLjcU7FFx3ExTsUXKuJinYpXHcbin4ouO5WxT8V4Vza43FOxRcdxMU7FK47iYp2KLjuNxT8UrjuS4p2K9y5FxMU7FFx3ExTsUXKuNxT8UrjuNxTsUXHcr4p2K8K5tcTFOxRcdxMU7FK47jcU/FFx3G4p2KVyrk2KdivcuZ3G4p+KLjuNxT8UrlXG4p2KLjuJinYouO5XxTsV4Vza43FPxRcdxuKdilcdxMU7FFx3ExTsUrlXP/9a5inYre58ZcTFOxRcdxuKfilcdxuKdii5VxMU7FK47lfFOxXh3NriYp2KVx3G4p+KLjuNxTsUXHcTFOxSuO5Lin4r3LkXG4p+KLjuNxTsUrjuJinYouVcbin4pXHcrYp+K8O5tcbin4pXHcbinYouO4mKdilcdxuKfii47kuKdivcuRcTFOxSuO4mKdii47jcU/FFyrjcU7FK47lfFOxXh3NriYp2KVx3ExTsUXHcbin4pXHcbinYouO5NinYr3LkXG4p+KVx3G4p+KLjuNxTsUXKuJinYpXHcr4p2K8O5tcbin4pXHcbin4ouO43FOxSuO4mKdii47kuKfivcuRcbinYpXHcTFOxRcdxMU7FFyrjcU/FK47lbFPxXhXNrjcU7FFx3ExTsUXHcTFOxSuO43FPxRcdznMU7Fejc+BuNxT8UXKuNxT8UrjuNxTsUXHcTFOxRcdyXFPxXt3IuNxTsUXHcTFOxRcdxMU7FK47jcU/FFyrlbFPxXhXNbjcU7FFyriYp2KVx3ExTsUXHcbin4ouO5LinYr27kXExTsUXHcbin4ouO43FPxSuO43FOxRcq5XxTsV4VzW4mKdii5VxuKfilcdxuKfii47jcU7FFx3JsU7Fe3ci43FPxRcdxuKdii47iYp2KVx3ExTsUXKuV8U7FeFc1uNxT8UXKuNxTsUrjuJinYouO4mKdilcdyXFPxXuXIuNxTsUXHcTFOxRcdxuKfilcdxuKfii5Vytin4rwrmtxuKdii5VxMU7FK47jcU/FFx3G4p+KVx3JcU7Fe5ci4mKdii47jcU/FK47jcU7FFx3ExTsUXKuf/XvUV4x8WLRSKFooGFFIYtFAyxRXuEBRSGLRQMWigYtFIZDRXhmwUUihaKBi0Uhi0UDJ6K9wgWikMWigYtFIYUUDIaK8I2FooKFooGLRSGFFAyxRXuEC0UhhRQMWigYtFIZDRXhGwtFBQUUDFopDFooGWKK9wgKKQxaKBi0Uhi0UDIaK8I2CigoWigYtFIYtFAyeivcIFopDFooGFFIYtFAz//2Q==";
    private const string ScanPerComponentJpegBase64 = "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/2wBDAQkJCQwLDBgNDRgyIRwhMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjIyMjL/wAARCAAeACgDASIAAhEBAxEB/8QAHwAAAQUBAQEBAQEAAAAAAAAAAAECAwQFBgcICQoL/8QAtRAAAgEDAwIEAwUFBAQAAAF9AQIDAAQRBRIhMUEGE1FhByJxFDKBkaEII0KxwRVS0fAkM2JyggkKFhcYGRolJicoKSo0NTY3ODk6Q0RFRkdISUpTVFVWV1hZWmNkZWZnaGlqc3R1dnd4eXqDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uHi4+Tl5ufo6erx8vP09fb3+Pn6/9oACAEBAAA/APF4LDOOK0oNNzj5a0YNKzj5a0oNHzj5a0ItHVQCwCj1PFYdtYZxxWzbabnHy1orapCQuzc/oO1WobOaTHO0ei8Vei0uOPG/Az2rGs9PzjitgWhhjXavztwOOnvVq00sYyRgDvWhFas52xLhfXHJq7Dp8cPBXc/90VjWFmpx0rRjtFkuT6L8orQ+yhpBEDhRjPuavrarHtjThiMlvQVdis0gVMAFm6Z6V//EAB8BAAMBAQEBAQEBAQEAAAAAAAABAgMEBQYHCAkKC//EALURAAIBAgQEAwQHBQQEAAECdwABAgMRBAUhMQYSQVEHYXETIjKBCBRCkaGxwQkjM1LwFWJy0QoWJDThJfEXGBkaJicoKSo1Njc4OTpDREVGR0hJSlNUVVZXWFlaY2RlZmdoaWpzdHV2d3h5eoKDhIWGh4iJipKTlJWWl5iZmqKjpKWmp6ipqrKztLW2t7i5usLDxMXGx8jJytLT1NXW19jZ2uLj5OXm5+jp6vLz9PX29/j5+v/aAAgBAhEAPwB4Sl9YOmrDB0peza5pdl09Xt+bOaXsU7ShCL7OSv8AocOFxcqODTh8UnZPt3f3fiYzxKpRcIXjGOja3b7LsvP9N+CWLVJ8nNyeSin97a1fof/aAAgBAxEAPwDHC5hbqfTYPMJPW59LRx75dz8BwuMvLU+pweNbs2fS0cY3E//Z";

    public static byte[] CmykJpeg() => Convert.FromBase64String(CmykJpegBase64);
    public static byte[] ProgressiveJpeg() => Convert.FromBase64String(ProgressiveJpegBase64);
    public static byte[] ScanPerComponentJpeg() => Convert.FromBase64String(ScanPerComponentJpegBase64);
    public static byte[] VerticalChromaJpegWithRestarts() => Convert.FromBase64String(VerticalChromaJpegBase64);
    public static byte[] AnimatedGif() => Convert.FromBase64String(AnimatedGifBase64);

    /// <summary>A JPEG drawn by Skia: a diagonal gradient, so orientation matters to the features.</summary>
    public static byte[] Jpeg(int width, int height)
    {
        using var bitmap = new SKBitmap(width, height);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)(255 * x / Math.Max(1, width - 1)), (byte)(255 * y / Math.Max(1, height - 1)), 60));
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 90);
        return data.ToArray();
    }

    /// <summary>A grayscale JPEG (one component) drawn by Skia, with a pattern that is not smooth.</summary>
    public static byte[] GrayscaleJpeg(int width, int height)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bitmap.SetPixel(x, y, new SKColor((byte)(x * 7 ^ y * 3), 0, 0));
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 85);
        return data.ToArray();
    }

    /// <summary>The same JPEG with an EXIF APP1 segment saying "rotate 90° clockwise" (orientation 6).</summary>
    public static byte[] ExifRotatedJpeg(int width, int height)
    {
        var jpeg = Jpeg(width, height);
        var tiff = new byte[26];
        "II*\0"u8.CopyTo(tiff);
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(4), 8);    // first IFD
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(8), 1);    // one entry
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(10), 0x0112); // Orientation
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(12), 3);   // SHORT
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(14), 1);   // count
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(18), 6);   // rotate 90 CW
        BinaryPrimitives.WriteUInt32LittleEndian(tiff.AsSpan(22), 0);   // no next IFD
        var app1 = new List<byte> { 0xFF, 0xE1 };
        int length = 2 + 6 + tiff.Length;
        app1.Add((byte)(length >> 8));
        app1.Add((byte)length);
        app1.AddRange("Exif\0\0"u8.ToArray());
        app1.AddRange(tiff);
        return [.. jpeg[..2], .. app1, .. jpeg[2..]]; // right after SOI
    }

    /// <summary>A grayscale PNG (colour type 0), 8 bits.</summary>
    public static byte[] GrayscalePng(int size) =>
        Png(size, size, bitDepth: 8, colorType: 0, bytesPerPixel: 1, (x, y, px) => px[0] = (byte)(x * 255 / size));

    /// <summary>An RGB PNG with 16 bits per channel (colour type 2).</summary>
    public static byte[] Png16Bit(int size) =>
        Png(size, size, bitDepth: 16, colorType: 2, bytesPerPixel: 6, (x, y, px) =>
        {
            BinaryPrimitives.WriteUInt16BigEndian(px, (ushort)(x * 65535 / size));
            BinaryPrimitives.WriteUInt16BigEndian(px[2..], (ushort)(y * 65535 / size));
            BinaryPrimitives.WriteUInt16BigEndian(px[4..], 20000);
        });

    /// <summary>A palette PNG (colour type 3) with a transparency chunk.</summary>
    public static byte[] PalettePngWithAlpha(int size)
    {
        byte[] palette = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 0];
        byte[] alpha = [255, 128, 0, 200];
        return Png(size, size, bitDepth: 8, colorType: 3, bytesPerPixel: 1, (x, y, px) => px[0] = (byte)((x / 4 + y / 4) % 4),
            extraChunks: [("PLTE", palette), ("tRNS", alpha)]);
    }

    /// <summary>A baseline TIFF (uncompressed 8-bit grayscale, one strip), as scanners write: SkiaSharp has no TIFF decoder.</summary>
    public static byte[] Tiff(int width, int height)
    {
        (ushort Tag, ushort Type, int Value)[] entries =
        [
            (256, 3, width), (257, 3, height), (258, 3, 8), (259, 3, 1), (262, 3, 1), // size, 8 bits, no compression, black is 0
            (273, 4, 0), (277, 3, 1), (278, 3, height), (279, 4, width * height), // strip offset (set below), 1 sample, one strip
        ];
        int ifdSize = 2 + entries.Length * 12 + 4, stripAt = 8 + ifdSize;
        var tiff = new byte[stripAt + width * height];
        "II*\0"u8.CopyTo(tiff);
        BinaryPrimitives.WriteInt32LittleEndian(tiff.AsSpan(4), 8);
        BinaryPrimitives.WriteUInt16LittleEndian(tiff.AsSpan(8), (ushort)entries.Length);
        for (int i = 0; i < entries.Length; i++)
        {
            var e = tiff.AsSpan(10 + i * 12, 12);
            BinaryPrimitives.WriteUInt16LittleEndian(e, entries[i].Tag);
            BinaryPrimitives.WriteUInt16LittleEndian(e[2..], entries[i].Type);
            BinaryPrimitives.WriteInt32LittleEndian(e[4..], 1);
            int value = entries[i].Tag == 273 ? stripAt : entries[i].Value;
            if (entries[i].Type == 3) BinaryPrimitives.WriteUInt16LittleEndian(e[8..], (ushort)value);
            else BinaryPrimitives.WriteInt32LittleEndian(e[8..], value);
        }
        for (int p = 0; p < width * height; p++) tiff[stripAt + p] = (byte)(p * 7);
        return tiff;
    }

    /// <summary>
    /// The start of a HEIC photo as an iPhone saves it: the "ftyp" box with the heic and mif1 brands, then an empty
    /// "meta" box. No decoder here reads HEIC, so what follows the boxes a reader identifies it by does not matter.
    /// </summary>
    public static byte[] HeicStart()
    {
        using var ms = new MemoryStream();
        ms.Write([0, 0, 0, 24]);
        ms.Write("ftypheic"u8);
        ms.Write([0, 0, 0, 0]);
        ms.Write("mif1heic"u8);
        ms.Write([0, 0, 0, 12]);
        ms.Write("meta"u8);
        ms.Write(new byte[4 + 256]);
        return ms.ToArray();
    }

    /// <summary>A valid PNG header that claims <paramref name="width"/>×<paramref name="height"/> pixels, with one tiny data chunk.</summary>
    public static byte[] PngHeaderClaiming(int width, int height)
    {
        using var ms = new MemoryStream();
        ms.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(ms, "IHDR", Ihdr(width, height, 8, 2));
        WriteChunk(ms, "IDAT", Deflate(new byte[16]));
        WriteChunk(ms, "IEND", []);
        return ms.ToArray();
    }

    private static byte[] Png(int width, int height, int bitDepth, int colorType, int bytesPerPixel, Action<int, int, Span<byte>> pixel,
        (string Type, byte[] Data)[]? extraChunks = null)
    {
        var raw = new byte[height * (1 + width * bytesPerPixel)];
        for (int y = 0; y < height; y++)
        {
            int row = y * (1 + width * bytesPerPixel); // filter byte 0 (none)
            for (int x = 0; x < width; x++)
                pixel(x, y, raw.AsSpan(row + 1 + x * bytesPerPixel, bytesPerPixel));
        }
        using var ms = new MemoryStream();
        ms.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(ms, "IHDR", Ihdr(width, height, bitDepth, colorType));
        foreach (var (type, data) in extraChunks ?? []) WriteChunk(ms, type, data);
        WriteChunk(ms, "IDAT", Deflate(raw));
        WriteChunk(ms, "IEND", []);
        return ms.ToArray();
    }

    private static byte[] Ihdr(int width, int height, int bitDepth, int colorType)
    {
        var ihdr = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(ihdr, width);
        BinaryPrimitives.WriteInt32BigEndian(ihdr.AsSpan(4), height);
        ihdr[8] = (byte)bitDepth;
        ihdr[9] = (byte)colorType;
        return ihdr;
    }

    private static byte[] Deflate(byte[] data)
    {
        using var ms = new MemoryStream();
        using (var z = new ZLibStream(ms, CompressionLevel.Fastest, leaveOpen: true)) z.Write(data);
        return ms.ToArray();
    }

    private static void WriteChunk(Stream s, string type, byte[] data)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, data.Length);
        s.Write(length);
        var typeAndData = System.Text.Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        s.Write(typeAndData);
        Span<byte> crc = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32.HashToUInt32(typeAndData));
        s.Write(crc);
    }
}
